/**
 * Password reset by email, against a real SMTP server on 127.0.0.1: the mail and its link, the
 * reset ending every other session, expired and used links refused, the same answer for unknown
 * addresses, a mail server that is down when the link is asked for, and the link kept out of
 * events and webhooks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeHTML } from 'entities';
import { pino } from 'pino';
import type { ParsedMail } from 'mailparser';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/outbox.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { createEndpoint } from '../../src/modules/webhooks/webhooks.service.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { freePort } from '../helpers/net.ts';
import { AUTHOR_PASSWORD, signInWeb, submit } from '../helpers/pages.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type SmtpSink, startSmtp } from '../helpers/smtp.ts';

const NEW_PASSWORD = 'a brand new passphrase';
const LINK = /\/password\/reset\?token=([A-Za-z0-9_-]{43})/;
const SENT = /If an account has that address, we have sent it a link/;

let server: TestServer;
let smtp: SmtpSink | undefined;
let smtpPort: number;
let receiver: Receiver;
let admin: Author;
const logLines: string[] = [];

before(async () => {
  smtpPort = await freePort();
  smtp = await startSmtp(smtpPort);
  receiver = await startReceiver();
  server = await startTestServer({
    env: { QUIRE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, QUIRE_ALLOW_PRIVATE_URLS: '1' },
    logger: pino({ level: 'info' }, { write: (line: string) => logLines.push(line) }),
  });
  admin = await makeAuthor(server, 'reset_admin', { admin: true });
  // An administrator's endpoint hears of every event of every type it may subscribe to.
  const user = await findUserById(server.ctx.database.db, admin.id);
  assert.ok(user);
  await createEndpoint(server.ctx, user, {
    target_url: receiver.url('/hook'),
    events: [...WEBHOOK_EVENT_TYPES],
  });
});
after(async () => {
  await server.close();
  await smtp?.close();
  await receiver.close();
});

function sink(): SmtpSink {
  assert.ok(smtp, 'the SMTP server is up');
  return smtp;
}

async function askForLink(email: string, client = server.client()) {
  const res = await submit(client, '/password/forgot', '/password/forgot', { email });
  assert.equal(res.status, 200, res.text);
  assert.match(res.text, SENT);
  return res;
}

function tokenOf(mail: ParsedMail): string {
  const token = LINK.exec(mail.text ?? '')?.[1];
  assert.ok(token, `no reset link in: ${mail.text}`);
  return token;
}

/** Asks for a link for the account, lets the dispatcher send it, and returns the new mail. */
async function mailFor(author: Author): Promise<ParsedMail> {
  const before = sink().messages.length;
  await askForLink(`${author.username}@example.test`);
  await server.dispatcher.drain();
  assert.equal(sink().messages.length, before + 1, 'one mail arrives');
  const mail = sink().messages.at(-1);
  assert.ok(mail);
  return mail;
}

async function resetWith(client: HttpClient, token: string, password = NEW_PASSWORD) {
  return submit(client, `/password/reset?token=${token}`, '/password/reset', {
    token,
    new_password: password,
    new_password_confirmation: password,
  });
}

async function signInStatus(login: string, password: string): Promise<number> {
  const res = await submit(server.client(), '/enter', '/enter', { login, password });
  return res.status;
}

async function passwordHashOf(id: number): Promise<string | undefined> {
  return (await findUserById(server.ctx.database.db, id))?.password_hash;
}

test('the sign-in page links to the reset form', async () => {
  const page = await server.client().get('/enter');
  assert.match(page.text, /<a href="\/password\/forgot">Forgot your password\?<\/a>/);
  const forgot = await server.client().get('/password/forgot');
  assert.equal(forgot.status, 200);
  assert.match(forgot.text, /<form method="post" action="\/password\/forgot"/);
  assert.match(forgot.text, /name="email"/);
});

test('end to end: the mail arrives, its link sets a new password, other sessions end', async () => {
  const author = await makeAuthor(server, 'reset_e2e');
  const other = await signInWeb(server, author.username);
  assert.equal((await other.get('/api/users/me')).status, 200, 'the other browser is signed in');

  const mail = await mailFor(author);
  assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'reset_e2e@example.test');
  assert.deepEqual(
    mail.from?.value.map((a) => [a.name, a.address]),
    [['Quire', 'no-reply@127.0.0.1']],
  );
  assert.equal(mail.subject, 'Reset your password on Quire');
  const token = tokenOf(mail);
  assert.match(mail.text ?? '', new RegExp(`${server.url}/password/reset\\?token=${token}`));
  assert.match(
    decodeHTML(String(mail.html)),
    new RegExp(`href="${server.url}/password/reset\\?token=${token}"`),
  );

  const browser = server.client();
  const form = await browser.get(`/password/reset?token=${token}`);
  assert.equal(form.status, 200);
  assert.equal(form.headers.get('referrer-policy'), 'no-referrer');
  assert.match(form.text, /name="new_password_confirmation"/);

  const mismatch = await submit(browser, `/password/reset?token=${token}`, '/password/reset', {
    token,
    new_password: NEW_PASSWORD,
    new_password_confirmation: `${NEW_PASSWORD}!`,
  });
  assert.equal(mismatch.status, 422, 'a confirmation that differs changes nothing');
  const weak = await resetWith(browser, token, 'short');
  assert.equal(weak.status, 422, 'the rules of any password apply');
  assert.match(weak.text, /Password is too short/);
  assert.equal(await signInStatus(author.username, AUTHOR_PASSWORD), 303, 'still the old one');

  const done = await resetWith(browser, token);
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), '/');
  const me = await browser.get('/api/users/me');
  assert.equal(me.status, 200, 'the reset signs this browser in');
  assert.equal(me.json().username, author.username);
  assert.equal((await other.get('/api/users/me')).status, 401, 'the other session has ended');

  const logged = logLines.join('');
  assert.match(logged, /\/password\/reset\?token=\[redacted\]/, 'the reset page was logged');
  assert.ok(!logged.includes(token), 'but never its token');
  assert.equal(await signInStatus(author.username, AUTHOR_PASSWORD), 401, 'the old password fails');
  assert.equal(await signInStatus(author.username, NEW_PASSWORD), 303, 'the new one works');
});

test('an expired link and a used link are refused, and change nothing', async () => {
  const author = await makeAuthor(server, 'reset_expiry');
  const expired = tokenOf(await mailFor(author));
  const browser = server.client();
  const form = await browser.get(`/password/reset?token=${expired}`);
  assert.equal(form.status, 200, 'the link works within the hour');
  server.clock.advance(61 * 60_000);
  const hash = await passwordHashOf(author.id);
  const initial = await snapshot(server);

  const page = await server.client().get(`/password/reset?token=${expired}`);
  assert.equal(page.status, 404);
  assert.match(page.text, /This password reset link is not valid/);
  const late = await postReset(browser, expired);
  assert.equal(late.status, 404, 'a form opened in time but posted after an hour is refused');
  assert.match(late.text, /This password reset link is not valid/);
  assert.equal(await passwordHashOf(author.id), hash);
  assert.deepEqual(await snapshot(server), initial);

  const once = tokenOf(await mailFor(author));
  assert.equal((await resetWith(server.client(), once)).status, 303);
  const changed = await passwordHashOf(author.id);
  assert.notEqual(changed, hash);
  const usedInitial = await snapshot(server);
  const again = server.client();
  assert.equal((await again.get(`/password/reset?token=${once}`)).status, 404);
  const reused = await postReset(again, once, 'yet another passphrase');
  assert.equal(reused.status, 404, 'a used link is refused');
  assert.equal(await passwordHashOf(author.id), changed, 'a used link changes nothing');
  assert.deepEqual(await snapshot(server), usedInitial);
  assert.equal(await signInStatus(author.username, NEW_PASSWORD), 303);

  for (const bad of ['', 'x', `${once}x`, 'A'.repeat(43)]) {
    const res = await server.client().get(`/password/reset?token=${encodeURIComponent(bad)}`);
    assert.equal(res.status, 404, JSON.stringify(bad));
  }
});

test('an unknown address gets the same answer, and nothing is sent', async () => {
  const known = await makeAuthor(server, 'reset_known');
  const knownAnswer = await askForLink('reset_known@example.test');
  await server.dispatcher.drain();
  const sent = sink().messages.length;
  const initial = await snapshot(server);
  const resets = await countRows('password_resets');
  const unknownAnswer = await askForLink('nobody@example.test');
  assert.equal(unknownAnswer.text, knownAnswer.text, 'the very same page');
  await server.dispatcher.drain();
  assert.equal(sink().messages.length, sent, 'no mail');
  assert.equal(await countRows('password_resets'), resets, 'no token');
  assert.deepEqual(await snapshot(server), initial, 'no event either');
  void known;

  const malformed = await submit(server.client(), '/password/forgot', '/password/forgot', {
    email: 'not an address',
  });
  assert.equal(malformed.status, 422);
  assert.match(malformed.text, /Email is not a valid address/);
});

test('past five links an hour for one account, the answer is the same and nothing is sent', async () => {
  const author = await makeAuthor(server, 'reset_limit');
  const sent = sink().messages.length;
  for (let i = 0; i < 7; i++) await askForLink('Reset_Limit@example.test');
  await server.dispatcher.drain();
  assert.equal(sink().messages.length, sent + 5);
  server.clock.advance(60 * 60_000);
  await mailFor(author);
});

test('the mail server down: the ask succeeds, the mail is retried and arrives once', async () => {
  const author = await makeAuthor(server, 'reset_outage');
  await sink().close();
  smtp = undefined;
  const events = await countRows('events');
  const res = await submit(server.client(), '/password/forgot', '/password/forgot', {
    email: 'reset_outage@example.test',
  });
  assert.equal(res.status, 200);
  assert.match(res.text, SENT);
  assert.equal(await countRows('events'), events + 1, 'the mail.requested event');
  await server.dispatcher.drain();
  const [queued] = await mailDeliveries(author.id);
  assert.ok(queued);
  assert.equal(queued.status, 'pending', 'the failed attempt leaves the mail queued');
  assert.equal(queued.attempts, 1);
  assert.match(queued.last_error ?? '', /ECONNREFUSED|connect/i);

  smtp = await startSmtp(smtpPort);
  server.clock.advance(10_000);
  await server.dispatcher.drain();
  assert.equal(sink().messages.length, 1, 'it arrives once the server is up');
  assert.equal(tokenOf(sink().messages[0] as ParsedMail).length, 43);
  const [sentRow] = await mailDeliveries(author.id);
  assert.equal(sentRow?.status, 'succeeded');
  assert.equal(sentRow?.attempts, 2);
  server.clock.advance(86_400_000);
  await server.dispatcher.drain();
  assert.equal(sink().messages.length, 1, 'and only once');
});

test('the link is in no event and no webhook delivery; once sent, not in the database', async () => {
  const author = await makeAuthor(server, 'reset_secret');
  const token = tokenOf(await mailFor(author));
  const db = server.ctx.database.db;
  const events = await db.selectFrom('events').selectAll().execute();
  const requested = events.filter((e) => e.type === 'mail.requested');
  assert.ok(requested.length > 0);
  const mine = requested.find((e) => e.owner_id === author.id);
  assert.ok(mine, 'the event names the account');
  assert.match(mine.payload, /reset_secret@example\.test/);
  for (const event of events) assert.ok(!event.payload.includes(token), `event ${event.id}`);
  const deliveries = await db.selectFrom('deliveries').selectAll().execute();
  assert.ok(
    deliveries.some((d) => d.endpoint_id !== null),
    'the webhook endpoint heard events',
  );
  for (const d of deliveries) assert.ok(!d.body.includes(token), `delivery ${d.id}`);
  for (const r of receiver.requests) assert.ok(!r.body.includes(token), r.path);
  assert.equal(
    JSON.stringify(await db.selectFrom('password_resets').selectAll().execute()).includes(token),
    false,
    'only its hash is stored',
  );

  const refused = await server.client().post('/api/webhooks', {
    key: admin.key,
    json: { webhook_endpoint: { target_url: receiver.url('/mail'), events: ['mail.requested'] } },
  });
  assert.equal(refused.status, 422, `no endpoint may hear of mail: ${refused.text}`);
});

test('a mail server away for good: the mail goes dead when the schedule is spent', async () => {
  const port = await freePort();
  const other = await startTestServer({
    env: { QUIRE_SMTP_URL: `smtp://127.0.0.1:${port}`, QUIRE_DELIVERY_RETRY_SCHEDULE: '0,5' },
  });
  try {
    const author = await makeAuthor(other, 'reset_dead');
    const res = await submit(other.client(), '/password/forgot', '/password/forgot', {
      email: 'reset_dead@example.test',
    });
    assert.equal(res.status, 200);
    await other.dispatcher.drain();
    other.clock.advance(10_000);
    await other.dispatcher.drain();
    const rows = await other.ctx.database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('target', '=', `mail:${author.id}`)
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.status, 'dead');
    assert.equal(rows[0]?.attempts, 2);
  } finally {
    await other.close();
  }
});

test('without a mail server, the reset page says so and offers no form', async () => {
  const other = await startTestServer();
  try {
    const page = await other.client().get('/password/forgot');
    assert.equal(page.status, 200);
    assert.match(page.text, /no mail server configured/);
    assert.doesNotMatch(page.text, /action="\/password\/forgot"/);
  } finally {
    await other.close();
  }
});

async function postReset(client: HttpClient, token: string, password = NEW_PASSWORD) {
  const page = await client.get('/password/forgot');
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(_csrf);
  return client.post('/password/reset', {
    form: { _csrf, token, new_password: password, new_password_confirmation: password },
  });
}

async function countRows(table: 'events' | 'password_resets'): Promise<number> {
  const row = await server.ctx.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function mailDeliveries(userId: number) {
  return server.ctx.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('target', '=', `mail:${userId}`)
    .orderBy('id')
    .execute();
}
