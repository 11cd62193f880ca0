/**
 * Who hears of comments and reactions through webhooks: the article's author hears every comment
 * and public reaction on their article; a comment's author hears the replies to it and the
 * reactions on it; an administrator hears everything; anyone else hears nothing; and a reading
 * list entry reaches only the reader's own endpoints (and administrators'), never the article's
 * author. Real receivers on 127.0.0.1, deliveries signed per Standard Webhooks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drainAll, type Received, type Sink, startSink } from './webhook-support.ts';

const TYPES = [
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'reaction.created',
  'reaction.deleted',
];

let server: TestServer;
let sink: Sink;
let admin: Author;
let ada: Author; // the article's author
let bob: Author; // writes a comment that gets a reply and a reaction
let cy: Author; // replies to bob
let dee: Author; // has nothing to do with any of it
let eve: Author; // a reader: reacts, and saves the article for later
const secrets = new Map<string, string>();
let article: { id: number };

before(async () => {
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  sink = await startSink();
  admin = await makeAuthor(server, 'cw_admin', { admin: true });
  ada = await makeAuthor(server, 'cw_ada');
  bob = await makeAuthor(server, 'cw_bob');
  cy = await makeAuthor(server, 'cw_cy');
  dee = await makeAuthor(server, 'cw_dee');
  eve = await makeAuthor(server, 'cw_eve');
  for (const who of [admin, ada, bob, dee, eve]) {
    const res = await server.client().post('/api/webhooks', {
      key: who.key,
      json: {
        webhook_endpoint: {
          target_url: sink.url(`/${who.username}`),
          source: who.username,
          events: TYPES,
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    secrets.set(who.username, res.json().secret);
  }
  article = await postArticle(server, ada, {
    title: 'Talk to me',
    body_markdown: 'Comments open.',
    published: true,
  });
  server.clock.advance(2 * 86_400_000);
});
after(async () => {
  await server.close();
  await sink.close();
});

type Json = Record<string, any>;

const api = () => server.client();
const post = async (who: Author, body: string, parent_id?: string) => {
  const res = await api().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id: article.id, parent_id } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json<Json>();
};
const toggle = async (who: Author, category: string, id: number, type = 'Article') => {
  const res = await api().post(
    `/api/reactions/toggle?category=${category}&reactable_id=${id}&reactable_type=${type}`,
    { key: who.key },
  );
  assert.ok(res.status === 200 || res.status === 201, res.text);
  return res.json<Json>();
};

/** What one endpoint heard, in the order the events were written, each body checked signed. */
function heard(who: Author): Json[] {
  const secret = secrets.get(who.username) as string;
  const requests = [...sink.to(`/${who.username}`)].sort((a, b) => eventId(a) - eventId(b));
  return requests.map((r) => {
    const verified = new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as Json;
    assert.deepEqual(verified, JSON.parse(r.body));
    return verified;
  });
}
const eventId = (r: Received) => Number(String(r.headers['webhook-id']).replace('msg_', ''));
const summary = (bodies: Json[]) =>
  bodies.map((b) =>
    b.type.startsWith('comment.')
      ? `${b.type} ${b.data.id_code}`
      : `${b.type} ${b.data.category} ${b.data.reactable_type}`,
  );

test('each endpoint hears the comments and reactions that concern its account, signed', async () => {
  const top = await post(bob, 'A **question**.');
  const reply = await post(cy, 'An answer.', top.id_code);
  const edit = await api().put(`/api/comments/${reply.id_code}`, {
    key: cy.key,
    json: { comment: { body_markdown: 'A better answer.' } },
  });
  assert.equal(edit.status, 200, edit.text);
  const topId = Number.parseInt(top.id_code, 26);
  await toggle(eve, 'unicorn', topId, 'Comment');
  await toggle(eve, 'like', article.id);
  await toggle(eve, 'readinglist', article.id);
  await toggle(eve, 'like', article.id);
  const del = await api().delete(`/api/comments/${reply.id_code}`, { key: cy.key });
  assert.equal(del.status, 204);
  await drainAll(server);

  const all = [
    `comment.created ${top.id_code}`,
    `comment.created ${reply.id_code}`,
    `comment.updated ${reply.id_code}`,
    'reaction.created unicorn Comment',
    'reaction.created like Article',
    'reaction.created readinglist Article',
    'reaction.deleted like Article',
    `comment.deleted ${reply.id_code}`,
  ];
  assert.deepEqual(summary(heard(admin)), all, 'an administrator hears everything');
  assert.deepEqual(
    summary(heard(ada)),
    all.filter((line) => !line.includes('readinglist')),
    "the article's author hears every comment and public reaction on it, not the reading list",
  );
  assert.deepEqual(
    summary(heard(bob)),
    [
      `comment.created ${reply.id_code}`,
      `comment.updated ${reply.id_code}`,
      'reaction.created unicorn Comment',
      `comment.deleted ${reply.id_code}`,
    ],
    "the comment's author hears the replies to it and the reactions on it",
  );
  assert.deepEqual(
    summary(heard(eve)),
    ['reaction.created readinglist Article'],
    'the reader hears of their own reading list only',
  );
  assert.deepEqual(heard(dee), [], 'an unrelated account hears nothing');

  // The bodies: Forem's comment with what it is on, and the reaction with its article.
  const [created, replied, updated, onComment, , saved, , deleted] = heard(admin);
  for (const body of [created, replied, updated, deleted] as Json[]) {
    assert.equal(typeof body.timestamp, 'string');
    assert.equal(body.data.article_id, article.id);
    assert.equal(body.data.type_of, 'comment');
    assert.equal(typeof body.data.body_html, 'string');
    assert.equal(typeof body.data.user.username, 'string');
  }
  assert.equal(created?.data.id_code, top.id_code);
  assert.equal(created?.data.body_html, '<p>A <strong>question</strong>.</p>\n');
  assert.equal(created?.data.user.username, bob.username);
  assert.equal(created?.data.parent_id, null);
  assert.equal(replied?.data.user.username, cy.username);
  assert.equal(replied?.data.parent_id, topId);
  assert.equal(updated?.data.body_html, '<p>A better answer.</p>\n');
  assert.notEqual(updated?.data.edited_at, null);
  assert.equal(onComment?.data.reactable_id, topId);
  assert.equal(onComment?.data.article_id, article.id);
  assert.equal(onComment?.data.user.username, eve.username);
  assert.equal(saved?.data.category, 'readinglist');
  assert.equal(deleted?.data.id_code, reply.id_code);
});
