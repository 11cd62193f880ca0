/** `POST /api/reports`: a reader reports an article or a comment (a Quire addition). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, sessionAuth } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { Ref } from '../../http/schemas.ts';
import { reportJson } from './reports.presenter.ts';
import { Report, ReportCreate } from './reports.schemas.ts';
import { createReport } from './reports.service.ts';

export function reportsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/reports',
      {
        config: writeLimit(ctx),
        schema: {
          operationId: 'createReport',
          tags: ['reports'],
          summary: 'Report an article or a comment to the moderators (a Quire addition)',
          description:
            'The item must be one the caller can see; a second open report of the same item by ' +
            'the same caller is refused with 409.',
          security: [...keyAuth, ...sessionAuth],
          body: ReportCreate,
          response: { ...errorResponses, 201: Ref(Report) },
        },
      },
      async (request, reply) => {
        const { note = '', ...rest } = request.body.report;
        const report = await createReport(ctx, requireUser(request), { ...rest, note });
        return reply.status(201).send(reportJson(report));
      },
    );
  };
}
