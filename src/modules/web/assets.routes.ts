/**
 * Static assets and generated avatars. The stylesheet and the script are each one file made at
 * start from the parts in src/web/static/css and js (base first, then by name), served under a
 * name carrying their hash so browsers keep them until they change.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const STATIC = new URL('../../web/static/', import.meta.url);

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

const PALETTE = [
  '#3b49df',
  '#0e7c66',
  '#b7410e',
  '#6b3fa0',
  '#9a2a5a',
  '#1d6fa5',
  '#5c6b00',
  '#8a4b08',
];

/** A letter on a colour picked from the name: a stand-in until someone sets a picture. */
export function avatarSvg(username: string): string {
  let hash = 0;
  for (const ch of username) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const letter = (username[0] ?? '?').toUpperCase();
  const colour = PALETTE[hash % PALETTE.length];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="32" fill="${colour}"/><text x="32" y="42" font-family="system-ui,sans-serif" font-size="30" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
}

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
    const match = /^([a-z0-9_]{1,30})\.svg$/.exec(file);
    if (!match?.[1]) return reply.callNotFound();
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .send(avatarSvg(match[1]));
  });
}
