/** OpenAPI fragments shared by route schemas. */
import { Type } from 'typebox';

/** Routes that take an API key: in the `api-key` header, or as a bearer token. */
export const keyAuth: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];

/** The error body of every API answer from 400 up, as documented in docs/api.md. */
export const Problem = Type.Object(
  {
    error: Type.String(),
    status: Type.Integer(),
    type: Type.String(),
    title: Type.String(),
    detail: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    ),
  },
  { $id: 'Problem', description: "Forem's error and status, with RFC 9457 problem details" },
);

/** Response entries every API route shares. */
export const errorResponses = { '4xx': Problem, '5xx': Problem };

/** An answer without a body (204). */
export const NoContent = Type.Null({ description: 'No content' });

interface DocumentedResponse {
  content?: Record<string, unknown>;
}

/**
 * @fastify/swagger's `transformObject`: error answers are documented under RFC 9457's media
 * type, which the error handler sends, rather than the `application/json` it assumes.
 */
export function problemMediaType<D extends { paths?: object }>({
  openapiObject,
}: {
  openapiObject: D;
}): D {
  for (const item of Object.values(openapiObject.paths ?? {}) as Array<Record<string, unknown>>) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, DocumentedResponse> }).responses;
      for (const [code, response] of Object.entries(responses ?? {})) {
        const json = response.content?.['application/json'];
        if (/^[45]/.test(code) && json) response.content = { 'application/problem+json': json };
      }
    }
  }
  return openapiObject;
}
