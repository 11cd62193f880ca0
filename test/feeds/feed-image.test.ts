/**
 * The author's picture in feeds: RSS 2.0 allows only GIF, JPEG and PNG, so an author without a
 * picture of that kind gets the generated avatar as a PNG, which must decode, have its size and
 * draw its circle even on a server without fonts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { findUserByUsername } from '../../src/modules/users/users.repository.ts';
import { updateProfile } from '../../src/modules/users/users.service.ts';
import { AVATAR_PNG_SIZE, avatarPng, avatarSvg } from '../../src/web/avatars.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { readXml, rawRequest } from './feed-readers.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
  const author = await makeAuthor(server, 'img_author');
  await postArticle(server, author, { title: 'Hello', body_markdown: 'Hi.', published: true });
});
after(() => server.close());

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The colour the SVG avatar fills its circle with, as [r, g, b]. */
function circleColour(username: string): number[] {
  const hex = /fill="#([0-9a-f]{6})"/.exec(avatarSvg(username))?.[1] ?? '';
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** Checks a PNG avatar: magic bytes, decoded size, a transparent corner and the circle's colour. */
async function assertAvatarPng(png: Buffer, username: string): Promise<void> {
  assert.deepEqual(png.subarray(0, 8), PNG_MAGIC, 'a PNG by its magic bytes');
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.equal((await sharp(png).metadata()).format, 'png');
  assert.equal(info.width, AVATAR_PNG_SIZE);
  assert.equal(info.height, AVATAR_PNG_SIZE);
  assert.equal(info.channels, 4);
  const pixel = (x: number, y: number) => {
    const at = (y * info.width + x) * info.channels;
    return [...data.subarray(at, at + info.channels)];
  };
  assert.equal(pixel(1, 1)[3], 0, 'outside the circle is transparent');
  // Inside the circle, left of where any letter is drawn.
  const inside = pixel(12, AVATAR_PNG_SIZE / 2);
  assert.deepEqual(inside, [...circleColour(username), 255], 'the circle is drawn');
}

async function channelImage(username: string): Promise<string> {
  const res = await server.client().get(`/feed/${username}`);
  assert.equal(res.status, 200);
  return readXml(res.text).rss.channel.image.url;
}

test('the RSS image is the PNG avatar, served as image/png; Atom and JSON Feed name the same', async () => {
  const url = await channelImage('img_author');
  assert.equal(url, `${server.url}/avatar/img_author.png`);
  assert.match(new URL(url).pathname, /\.(png|jpe?g|gif)$/);
  const res = await rawRequest(server.url, new URL(url).pathname);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'image/png');
  assert.equal(res.headers['cache-control'], 'public, max-age=86400');
  await assertAvatarPng(res.body, 'img_author');

  const atom = readXml((await server.client().get('/feed/img_author.atom')).text);
  assert.equal(atom.feed.icon, url);
  const json = (await server.client().get('/feed/img_author.json')).json();
  assert.equal(json.icon, url);
  assert.equal(json.favicon, url);
  // Site and tag feeds have no picture at all.
  assert.equal(readXml((await server.client().get('/feed')).text).rss.channel.image, undefined);
});

test("an author's own picture is used when its path names GIF, JPEG or PNG", async () => {
  const cases: [string, boolean][] = [
    ['https://img.example.test/me.jpg', true],
    ['https://img.example.test/me.JPEG', true],
    ['https://img.example.test/pic.png?size=90', true],
    ['https://img.example.test/anim.gif#x', true],
    ['https://img.example.test/me.svg', false],
    ['https://img.example.test/me.webp', false],
    ['https://img.example.test/png', false],
    ['https://img.example.test/avatar?format=.png', false],
  ];
  for (const [picture, own] of cases) {
    const user = await findUserByUsername(server.ctx.database.db, 'img_author');
    assert.ok(user);
    await updateProfile(server.ctx, user, {
      name: user.name,
      summary: '',
      website_url: '',
      profile_image: picture,
    });
    const expected = own ? picture : `${server.url}/avatar/img_author.png`;
    assert.equal(await channelImage('img_author'), expected, picture);
    const json = (await server.client().get('/feed/img_author.json')).json();
    assert.equal(json.icon, expected);
    // The API still names the picture as set.
    const api = (await server.client().get(`/api/users/${user.id}`)).json();
    assert.equal(api.profile_image, picture);
  }
});

test('each look is rendered once and kept; any valid name answers, anything else is a 404', async () => {
  // Names sharing a first letter and a colour share one image.
  const twin = ['ab', 'ac', 'ad', 'ae', 'af', 'ag', 'ah', 'ai', 'aj'].find(
    (name) => name !== 'aa' && avatarSvg(name) === avatarSvg('aa'),
  );
  assert.ok(twin, 'some two-letter name looks like "aa"');
  assert.equal(await avatarPng('aa'), await avatarPng(twin), 'the same Buffer: rendered once');
  assert.notEqual(await avatarPng('aa'), await avatarPng('ba'));

  const first = await rawRequest(server.url, '/avatar/nobody_here.png');
  const again = await rawRequest(server.url, '/avatar/nobody_here.png');
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, again.body);
  await assertAvatarPng(first.body, 'nobody_here');
  const head = await rawRequest(server.url, '/avatar/nobody_here.png', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-type'], 'image/png');
  const svg = await rawRequest(server.url, '/avatar/nobody_here.svg');
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  for (const path of ['/avatar/Upper.png', '/avatar/a.gif', '/avatar/a.png.png', '/avatar/.png']) {
    assert.equal((await rawRequest(server.url, path)).status, 404, path);
  }
});

test('without any font the PNG avatar still draws its circle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-nofont-'));
  try {
    // A fontconfig configuration that names no font directory: a slim server.
    const config = join(dir, 'fonts.conf');
    writeFileSync(config, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
    const module = new URL('../../src/web/avatars.ts', import.meta.url).href;
    const code = `const { avatarPng } = await import(${JSON.stringify(module)});
process.stdout.write((await avatarPng('zed')).toString('base64'));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env: { ...process.env, FONTCONFIG_FILE: config, FONTCONFIG_PATH: dir, HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code_ = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code_, 0, err);
    await assertAvatarPng(Buffer.from(out, 'base64'), 'zed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
