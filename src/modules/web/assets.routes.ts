/** Static assets and generated avatars. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const css = readFileSync(new URL('../../web/static/quire.css', import.meta.url));
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
  app.get('/static/quire.css', hide, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
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
