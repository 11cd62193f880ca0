/**
 * The daily digest, against a real SMTP server on 127.0.0.1 and the fake clock: nothing until a
 * day after asking, then one mail of what is unread with List-Unsubscribe and
 * List-Unsubscribe-Post, none the next day when nothing new came, and the one-click unsubscribe
 * (a cookieless POST, as mail programs make it) turning it off; a forged link changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { updateNotificationSettings } from '../../src/modules/notifications/notifications.service.ts';
import { KINDS } from '../../src/modules/notifications/notifications.rules.ts';
import { userById } from '../../src/modules/users/users.service.ts';
import { drainAll } from '../helpers/dispatch.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type SmtpSink, startSmtp } from '../helpers/smtp.ts';

const DAY = 86_400_000;

let server: TestServer;
let smtp: SmtpSink;
let ada: Author;
let bob: Author;
let cyd: Author;

before(async () => {
  smtp = await startSmtp();
  server = await startTestServer({ env: { QUIRE_SMTP_URL: smtp.url } });
  ada = await makeAuthor(server, 'dig_ada');
  bob = await makeAuthor(server, 'dig_bob');
  cyd = await makeAuthor(server, 'dig_cyd');
  server.clock.advance(2 * DAY);
});
after(async () => {
  await server.close();
  await smtp.close();
});

const follow = async (who: Author, userId: number) => {
  const res = await server
    .client()
    .post('/api/follows', { key: who.key, json: { user_id: userId } });
  assert.equal(res.status, 201, res.text);
};

function digestsTo(author: Author): ParsedMail[] {
  return smtp.messages.filter(
    (m) => m.to && !Array.isArray(m.to) && m.to.text === `${author.username}@example.test`,
  );
}

async function askForDigest(author: Author) {
  const user = await userById(server.ctx, author.id);
  assert.ok(user);
  await updateNotificationSettings(server.ctx, user, {
    on: KINDS.map((k) => k.kind),
    digest: true,
  });
}

test('a day after asking, one digest of what is unread, with a one-click unsubscribe', async () => {
  await askForDigest(ada);
  await follow(bob, ada.id);
  await follow(cyd, ada.id);
  await drainAll(server);
  assert.equal(digestsTo(ada).length, 0, 'not before a day has passed');

  server.clock.advance(DAY + 1000);
  await drainAll(server);
  const mails = digestsTo(ada);
  assert.equal(mails.length, 1);
  const [mail] = mails;
  assert.ok(mail);
  assert.equal(mail.subject, '2 new notifications');
  assert.match(mail.text ?? '', /dig_cyd followed you/);
  assert.match(mail.text ?? '', /dig_bob followed you/);
  assert.match(String(mail.html), /dig_bob followed you/);
  const raw = (name: string) =>
    mail.headerLines
      .find((h) => h.key === name)
      ?.line.slice(name.length + 1)
      .trim();
  const unsubscribeUrl = /^<([^>]+)>$/.exec(raw('list-unsubscribe') ?? '')?.[1];
  assert.ok(unsubscribeUrl, `List-Unsubscribe: ${raw('list-unsubscribe')}`);
  assert.ok(unsubscribeUrl.startsWith(`${server.url}/notifications/unsubscribe?u=${ada.id}&t=`));
  assert.equal(raw('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

  // Nothing new the next day: no mail.
  server.clock.advance(DAY + 1000);
  await drainAll(server);
  assert.equal(digestsTo(ada).length, 1);

  // A forged link changes nothing; the real one, posted without cookie or form token, stops it.
  const path = unsubscribeUrl.slice(server.url.length);
  const forged = await fetch(
    `${server.url}/notifications/unsubscribe?u=${bob.id}&t=${path.split('&t=')[1]}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    },
  );
  assert.equal(forged.status, 404);
  const page = await fetch(`${server.url}${path}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Stop the daily digest/);
  const stop = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(stop.status, 200);
  assert.match(await stop.text(), /no more daily digests/);
  const user = await userById(server.ctx, ada.id);
  assert.equal(user?.digest, 0);

  const someoneNew = await makeAuthor(server, 'dig_dee');
  await follow(someoneNew, ada.id);
  server.clock.advance(DAY + 1000);
  await drainAll(server);
  assert.equal(digestsTo(ada).length, 1, 'no digest after unsubscribing');
});

test('a digest never goes to an account that did not ask, and lists only what is new since the last', async () => {
  await follow(ada, cyd.id);
  server.clock.advance(2 * DAY);
  await drainAll(server);
  assert.equal(digestsTo(cyd).length, 0);

  await askForDigest(bob);
  server.clock.advance(DAY + 1000);
  await drainAll(server);
  assert.equal(digestsTo(bob).length, 0, 'nothing unread arrived since asking');
  await follow(cyd, bob.id);
  server.clock.advance(DAY + 1000);
  await drainAll(server);
  const [mail] = digestsTo(bob);
  assert.ok(mail);
  assert.equal(mail.subject, '1 new notification');
  assert.match(mail.text ?? '', /dig_cyd followed you/);
});
