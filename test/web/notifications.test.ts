/**
 * Notifications in the pages, over real HTTP as a browser without script drives them: the inbox
 * (unread first, mark read, mark all read, mute a thread), the settings that turn a kind off, the
 * header's unread badge, the live count stream (at once, on a change here, on a change made
 * elsewhere, bounded, ended when the server stops), and the "Following" view.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb, submit } from '../helpers/pages.ts';
import { tokenHash } from '../../src/modules/auth/sessions.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { POLL_MS, STREAMS_PER_READER } from '../../src/web/notification-stream.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cyd: Author;
let adaWeb: HttpClient;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'notes_admin');
  ada = await makeAuthor(server, 'notes_ada');
  bob = await makeAuthor(server, 'notes_bob');
  cyd = await makeAuthor(server, 'notes_cyd');
  server.clock.advance(2 * 86_400_000);
  adaWeb = await signInWeb(server, ada.username);
});
after(() => server.close());

const drain = () => server.dispatcher.drain();
const db = () => server.ctx.database.db;

async function followByApi(who: Author, body: Record<string, unknown>) {
  const res = await server.client().post('/api/follows', { key: who.key, json: body });
  assert.ok(res.status === 201 || res.status === 200, res.text);
}

async function commentByApi(who: Author, articleId: number, text: string) {
  const res = await server.client().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: text, article_id: articleId } },
  });
  assert.equal(res.status, 201, res.text);
}

/** The header's unread badge as text ('' when none shows). */
function badgeOf(page: string): string {
  const match = /<span class="unread" id="unread-count"[^>]*>([\s\S]*?)<\/span><\/a>/.exec(page);
  assert.ok(match, 'no unread badge element in the header');
  return (match[1] ?? '').replace(/<[^>]+>/g, '').trim();
}

/** The notification items of the inbox page: their sentence and whether unread. */
function itemsOf(page: string): { text: string; unread: boolean; id: string }[] {
  return [
    ...page.matchAll(
      /<li class="notification( unread)?" id="notification-(\d+)">[\s\S]*?<p class="sentence">([\s\S]*?)<\/p>/g,
    ),
  ].map((m) => ({
    unread: m[1] !== undefined,
    id: m[2] ?? '',
    text: (m[3] ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  }));
}

async function unreadRows(userId: number): Promise<number> {
  const rows = await db()
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('unread', '=', 1)
    .execute();
  return rows.length;
}

describe('the inbox', () => {
  test('sends visitors to sign in, and is private', async () => {
    for (const path of ['/notifications', '/settings/notifications', '/following']) {
      const res = await server.client().get(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/enter?next=${encodeURIComponent(path)}`);
    }
    const page = await adaWeb.get('/notifications');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.match(page.text, /No notifications yet/);
    assert.equal(badgeOf(page.text), '');
    assert.doesNotMatch(page.text, /Mark all read/);
  });

  test('a follow shows as an unread notification, with the badge, after the dispatcher', async () => {
    const bobWeb = await signInWeb(server, bob.username);
    const res = await submit(bobWeb, `/${ada.username}`, '/follow', { user_id: String(ada.id) });
    assert.equal(res.status, 303);
    await drain();
    const page = await adaWeb.get('/notifications');
    const items = itemsOf(page.text);
    assert.deepEqual(
      items.map((i) => [i.text, i.unread]),
      [['Unread: notes_bob followed you', true]],
    );
    assert.match(page.text, new RegExp(`<a href="/${bob.username}">notes_bob</a> followed you`));
    assert.equal(badgeOf(page.text), '1 unread');
    // Every signed-in page carries it; the anonymous cached home does not change.
    assert.equal(badgeOf((await adaWeb.get('/settings')).text), '1 unread');
    const home = await server.client().get('/');
    assert.doesNotMatch(home.text, /unread-count|Notifications|class="tabs"/);
  });

  test('mark one read, then all read', async () => {
    await followByApi(cyd, { user_id: ada.id });
    await drain();
    assert.equal(await unreadRows(ada.id), 2);
    const page = await adaWeb.get('/notifications');
    const [first, second] = itemsOf(page.text);
    assert.ok(first && second);
    assert.equal(first.text, 'Unread: notes_cyd followed you');
    assert.equal(badgeOf(page.text), '2 unread');
    const res = await submit(adaWeb, '/notifications', '/notifications/read', {
      id: first.id,
      next: '/notifications',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/notifications');
    const after = await adaWeb.get('/notifications');
    // Unread first: Bob's (older, unread) now comes before Cyd's (read).
    assert.deepEqual(
      itemsOf(after.text).map((i) => [i.text, i.unread]),
      [
        ['Unread: notes_bob followed you', true],
        ['notes_cyd followed you', false],
      ],
    );
    assert.equal(badgeOf(after.text), '1 unread');
    const onlyUnread = await adaWeb.get('/notifications?unread=1');
    assert.deepEqual(
      itemsOf(onlyUnread.text).map((i) => i.text),
      ['Unread: notes_bob followed you'],
    );
    const all = await submit(adaWeb, '/notifications', '/notifications/read', {
      all: '1',
      next: '/notifications?unread=1',
    });
    assert.equal(all.status, 303);
    assert.equal(all.headers.get('location'), '/notifications?unread=1');
    assert.equal(await unreadRows(ada.id), 0);
    const done = await adaWeb.get('/notifications?unread=1');
    assert.match(done.text, /Nothing unread/);
    assert.equal(badgeOf(done.text), '');
  });

  test('forms without a token, or from a visitor, change nothing', async () => {
    await followByApi(bob, { tag: 'anything' });
    await followByApi(cyd, { user_id: bob.id });
    await drain();
    const before = await unreadRows(bob.id);
    assert.ok(before > 0);
    const bobWeb = await signInWeb(server, bob.username);
    assert.match((await bobWeb.get('/notifications')).text, /Mark all read/);
    assert.equal((await bobWeb.post('/notifications/read', { form: { all: '1' } })).status, 403);
    assert.equal(
      (await server.client().post('/notifications/read', { form: { all: '1' } })).status,
      403,
    );
    assert.equal(await unreadRows(bob.id), before);
    // Someone else's notification id is ignored.
    const [other] = await db()
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', bob.id)
      .execute();
    assert.ok(other);
    const _csrf = await adaWeb.csrfToken('/notifications');
    const res = await adaWeb.post('/notifications/read', {
      form: { _csrf, id: String(other.id) },
    });
    assert.equal(res.status, 303);
    assert.equal(await unreadRows(bob.id), before);
  });
});

describe('settings and muted threads', () => {
  test('the settings page shows each kind, and saving turns one off', async () => {
    const page = await adaWeb.get('/settings/notifications');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.match(page.text, /<a href="\/settings\/notifications" aria-current="page">/);
    assert.match(page.text, /name="kind_follower" type="checkbox" checked/);
    assert.match(page.text, /Daily digest by email/);
    // No QUIRE_SMTP_URL here: the page says the digest needs a mail server.
    assert.match(page.text, /no mail server configured/);
    const kinds = ['comment', 'reply', 'reaction', 'article', 'mention'];
    const form = Object.fromEntries(kinds.map((k) => [`kind_${k}`, 'on']));
    const res = await submit(adaWeb, '/settings/notifications', '/settings/notifications', {
      ...form,
      digest: 'on',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/settings/notifications?done=saved');
    const saved = await adaWeb.get('/settings/notifications?done=saved');
    assert.match(saved.text, /role="status">Saved</);
    assert.match(saved.text, /name="kind_follower" type="checkbox"\s+>/);
    assert.match(saved.text, /name="digest" type="checkbox" checked/);
    const user = await db()
      .selectFrom('users')
      .select(['notifications_off', 'digest'])
      .where('id', '=', ada.id)
      .executeTakeFirstOrThrow();
    assert.equal(user.notifications_off, 1);
    assert.equal(user.digest, 1);
    // A follow now notifies nothing.
    const before = await db()
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', ada.id)
      .execute();
    const dan = await makeAuthor(server, 'notes_dan');
    await followByApi(dan, { user_id: ada.id });
    await drain();
    const now = await db()
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', ada.id)
      .execute();
    assert.equal(now.length, before.length);
    // Turned back on, follows notify again.
    await submit(adaWeb, '/settings/notifications', '/settings/notifications', {
      ...form,
      kind_follower: 'on',
    });
    const eve = await makeAuthor(server, 'notes_eve');
    await followByApi(eve, { user_id: ada.id });
    await drain();
    assert.equal(
      itemsOf((await adaWeb.get('/notifications')).text)[0]?.text,
      'Unread: notes_eve followed you',
    );
  });

  test('a muted thread brings no comment notifications; unmuted, it does again', async () => {
    const article = await postArticle(server, ada, {
      title: 'Quiet corner',
      body_markdown: 'Talk.',
      published: true,
    });
    await commentByApi(bob, article.id, 'First!');
    await drain();
    const page = await adaWeb.get('/notifications');
    const first = itemsOf(page.text)[0];
    assert.equal(first?.text, 'Unread: notes_bob commented on Quiet corner');
    assert.match(page.text, new RegExp(`<a href="${article.path}#comment-[^"]+">Quiet corner</a>`));
    assert.match(page.text, /<button type="submit" class="secondary">Mute thread<\/button>/);
    await submit(adaWeb, '/notifications', '/notifications/read', { all: '1' });
    const mute = await submit(adaWeb, '/notifications', '/notifications/mute', {
      article_id: String(article.id),
      muted: '1',
      next: '/notifications',
    });
    assert.equal(mute.status, 303);
    const muted = await adaWeb.get('/notifications');
    assert.match(muted.text, /Thread muted/);
    assert.match(muted.text, /Unmute thread/);
    await commentByApi(cyd, article.id, 'Second.');
    await drain();
    assert.equal(await unreadRows(ada.id), 0);
    await submit(adaWeb, '/notifications', '/notifications/mute', {
      article_id: String(article.id),
      muted: '0',
    });
    await commentByApi(cyd, article.id, 'Third.');
    await drain();
    assert.equal(
      itemsOf((await adaWeb.get('/notifications')).text)[0]?.text,
      'Unread: notes_cyd commented on Quiet corner',
    );
    // An article that does not exist is a 404 page.
    const missing = await submit(adaWeb, '/notifications', '/notifications/mute', {
      article_id: '999999',
      muted: '1',
    });
    assert.equal(missing.status, 404);
    await submit(adaWeb, '/notifications', '/notifications/read', { all: '1' });
  });
});

/** A live count stream read over real HTTP: the counts it sent, in order. */
interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  counts: number[];
  raw: string;
  ended: Promise<void>;
  /**
   * Resolves with the counts sent so far once one past those already waited for equals `count`
   * (fails after `ms`).
   */
  waitFor(count: number, ms?: number): Promise<number[]>;
  close(): void;
}

function openStream(client: HttpClient | null): Promise<Stream> {
  const cookie = client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${server.url}/notifications/stream`,
      { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } },
      (res) => {
        res.setEncoding('utf8');
        const waiters: Array<() => void> = [];
        let seen = 0;
        const stream: Stream = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          counts: [],
          raw: '',
          ended: new Promise((done) => res.once('close', () => done())),
          waitFor(count, ms = 5000) {
            return new Promise((ok, fail) => {
              const check = () => {
                const at = stream.counts.indexOf(count, seen);
                if (at >= 0) {
                  seen = at + 1;
                  clearTimeout(timer);
                  ok(stream.counts);
                  return true;
                }
                return false;
              };
              const timer = setTimeout(
                () => fail(new Error(`no count ${count} in ${ms} ms: ${stream.counts.join(',')}`)),
                ms,
              );
              if (!check()) waiters.push(() => void check());
            });
          },
          close: () => request.destroy(),
        };
        res.on('data', (chunk: string) => {
          stream.raw += chunk;
          for (const m of chunk.matchAll(/event: unread\ndata: (\d+)\n\n/g))
            stream.counts.push(Number(m[1]));
          for (const wake of waiters.splice(0)) wake();
        });
        resolve(stream);
      },
    );
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}

describe('the live count', () => {
  test('a visitor is refused', async () => {
    const stream = await openStream(null);
    assert.equal(stream.status, 401);
    await stream.ended;
  });

  test('sends the count at once, and again when a follow here changes it', async () => {
    const stream = await openStream(adaWeb);
    try {
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(stream.headers['cache-control'], 'private, no-store');
      assert.equal(stream.headers['x-accel-buffering'], 'no');
      assert.match(String(stream.headers['content-security-policy']), /default-src 'self'/);
      assert.equal(stream.headers['x-content-type-options'], 'nosniff');
      await stream.waitFor(0);
      const fay = await makeAuthor(server, 'notes_fay');
      await followByApi(fay, { user_id: ada.id });
      await drain();
      assert.deepEqual(await stream.waitFor(1, 3000), [0, 1]);
      // Marking read from another tab brings it back to 0.
      await submit(adaWeb, '/notifications', '/notifications/read', { all: '1' });
      assert.deepEqual(await stream.waitFor(0, 3000), [0, 1, 0]);
      const metrics = await server.client().get('/metrics');
      assert.match(metrics.text, /^quire_notification_streams 1$/m);
    } finally {
      stream.close();
    }
  });

  test('a change made on another node arrives by the poll', async () => {
    const stream = await openStream(adaWeb);
    try {
      await stream.waitFor(0);
      // Written straight to the database, as another node's consumer would: no event here.
      const stamp = server.clock.now().toISOString();
      await db()
        .insertInto('notifications')
        .values({
          user_id: ada.id,
          kind: 'follower',
          event_id: 9_000_000,
          actor_id: cyd.id,
          created_at: stamp,
          updated_at: stamp,
        })
        .execute();
      assert.deepEqual(await stream.waitFor(1, POLL_MS + 3000), [0, 1]);
    } finally {
      stream.close();
      await submit(adaWeb, '/notifications', '/notifications/read', { all: '1' });
    }
  });

  test('a stream ends when its session is signed out, here or on another node', async () => {
    const tab = await signInWeb(server, ada.username);
    const stream = await openStream(tab);
    const other = await openStream(adaWeb);
    try {
      assert.equal(stream.status, 200);
      await stream.waitFor(0);
      // Signing out elsewhere deletes the session's row; nothing in this process hears of it.
      const token = decodeURIComponent(tab.cookies.get('quire_session') ?? '').split('.')[0] ?? '';
      const deleted = await db()
        .deleteFrom('sessions')
        .where('id', '=', tokenHash(token))
        .executeTakeFirst();
      assert.equal(Number(deleted.numDeletedRows), 1, 'the tab’s session row');
      const ended = await Promise.race([
        stream.ended.then(() => true),
        new Promise<false>((done) => setTimeout(() => done(false), POLL_MS + 3000)),
      ]);
      assert.equal(ended, true, 'the signed-out stream ended within a poll');
      const otherEnded = await Promise.race([
        other.ended.then(() => true),
        new Promise<false>((done) => setTimeout(() => done(false), 200)),
      ]);
      assert.equal(otherEnded, false, 'a stream of a session still signed in goes on');
    } finally {
      stream.close();
      other.close();
    }
  });

  test('a reader holds a few streams at most', async () => {
    const streams = await Promise.all(
      Array.from({ length: STREAMS_PER_READER }, () => openStream(adaWeb)),
    );
    try {
      for (const s of streams) assert.equal(s.status, 200);
      const extra = await openStream(adaWeb);
      assert.equal(extra.status, 429);
      assert.ok(extra.headers['retry-after']);
      await extra.ended;
    } finally {
      for (const s of streams) s.close();
    }
    // Closed streams free their places.
    await new Promise((done) => setTimeout(done, 100));
    const again = await openStream(adaWeb);
    assert.equal(again.status, 200);
    again.close();
  });
});

describe('the Following view', () => {
  test('shows followed authors and tags, each article once, and the home tabs', async () => {
    const gus = await makeAuthor(server, 'notes_gus');
    const hal = await makeAuthor(server, 'notes_hal');
    const gusWeb = await signInWeb(server, gus.username);
    const empty = await gusWeb.get('/following');
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get('cache-control'), 'private, no-store');
    assert.match(empty.text, /Nothing here yet/);
    assert.match(empty.text, /<a href="\/following" aria-current="page">Following<\/a>/);
    await followByApi(gus, { user_id: hal.id });
    await followByApi(gus, { tag: 'rivers' });
    await drain();
    const byAuthor = await postArticle(server, hal, {
      title: 'Hal on deserts',
      body_markdown: 'Sand.',
      published: true,
    });
    const both = await postArticle(server, hal, {
      title: 'Hal on rivers',
      body_markdown: 'Water.',
      published: true,
      tags: ['rivers'],
    });
    const byTag = await postArticle(server, cyd, {
      title: 'Cyd on rivers',
      body_markdown: 'More water.',
      published: true,
      tags: ['rivers'],
    });
    await postArticle(server, cyd, {
      title: 'Cyd on nothing followed',
      body_markdown: 'Other.',
      published: true,
      tags: ['other'],
    });
    await drain();
    const page = await gusWeb.get('/following');
    const titles = [...page.text.matchAll(/<h2><a href="([^"]+)">([^<]+)<\/a><\/h2>/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(titles, [byTag.path, both.path, byAuthor.path]);
    // The new article by a followed author is also a notification.
    assert.equal(badgeOf(page.text), '2 unread');
    const home = await gusWeb.get('/');
    assert.match(home.text, /<a href="\/" aria-current="page">Latest<\/a>/);
    assert.match(home.text, /<a href="\/following">Following<\/a>/);
    assert.equal(home.headers.get('cache-control'), 'private, no-store');
  });
});

describe('when the server stops', () => {
  test('open streams end at once, and nothing holds the stop', async () => {
    const stream = await openStream(adaWeb);
    await stream.waitFor(0);
    const started = performance.now();
    server.app.drain.start();
    await stream.ended;
    assert.ok(await server.app.drain.settled(2000), 'requests still in flight');
    assert.ok(performance.now() - started < 2000);
  });
});
