/** Routes for the stylesheet and script bundles (`assets.ts`) and the generated avatars. */
import type { FastifyInstance } from 'fastify';
import { BUNDLES } from './assets.ts';
import { avatarPng, avatarSvg } from './avatars.ts';

export async function assetsRoutes(app: FastifyInstance): Promise<void> {
  const hide = { schema: { hide: true } };
  for (const asset of BUNDLES) {
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
