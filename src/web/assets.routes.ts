/**
 * Static assets and generated avatars. The stylesheet and the script are each one file made at
 * start from the parts in src/web/static/css and js (base first, then by name), served under a
 * name carrying their hash so browsers keep them until they change.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { avatarPng, avatarSvg } from './avatars.ts';

const STATIC = new URL('./static/', import.meta.url);

interface Bundle {
  path: string;
  body: Buffer;
  type: string;
}

function bundle(folder: 'css' | 'js', type: string): Bundle {
  const dir = new URL(`${folder}/`, STATIC);
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(`.${folder}`))
    .sort((a, b) => (a.startsWith('base.') ? -1 : b.startsWith('base.') ? 1 : a.localeCompare(b)));
  const body = Buffer.concat(names.map((name) => readFileSync(new URL(name, dir))));
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { path: `/static/quire.${hash}.${folder}`, body, type };
}

const stylesheet = bundle('css', 'text/css; charset=utf-8');
const script = bundle('js', 'text/javascript; charset=utf-8');

/** Where pages link the stylesheet and the script. */
export const STYLESHEET_PATH = stylesheet.path;
export const SCRIPT_PATH = script.path;

export async function assetsRoutes(app: FastifyInstance): Promise<void> {
  const hide = { schema: { hide: true } };
  for (const asset of [stylesheet, script]) {
    app.get(asset.path, hide, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body),
    );
  }
  app.get('/avatar/:file', hide, async (request, reply) => {
    const { file } = request.params as { file: string };
    const match = /^([a-z0-9_]{1,30})\.(svg|png)$/.exec(file);
    if (!match?.[1]) return reply.callNotFound();
    reply.header('cache-control', 'public, max-age=86400');
    if (match[2] === 'png') return reply.type('image/png').send(await avatarPng(match[1]));
    return reply.type('image/svg+xml').send(avatarSvg(match[1]));
  });
}
