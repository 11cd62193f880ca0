/** The API document's options, and the OpenAPI fragments route schemas share. */
import type { SwaggerOptions } from '@fastify/swagger';
import { Type } from 'typebox';
import { Problem } from './problem.ts';
import { Ref } from './schemas.ts';

/** Routes that take an API key: in the `api-key` header, or as a bearer token. */
export const keyAuth: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
/** Routes anyone may call; a key or a session changes nothing in their answer. */
export const noAuth: Array<Record<string, string[]>> = [];
/** Routes anyone may call, whose answer may show the caller more (their own drafts). */
export const optionalKeyAuth: Array<Record<string, string[]>> = [{}, ...keyAuth];
/** Routes about the session cookie itself. */
export const sessionAuth: Array<Record<string, string[]>> = [{ session: [] }];

/** Response entries every API route shares. */
export const errorResponses = { '4xx': Ref(Problem), '5xx': Ref(Problem) };

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

/**
 * The options of @fastify/swagger for `GET /api/openapi.json`. Components are named by their
 * schema's `$id` (swagger's own names are `def-0`, `def-1`, ... in the order it meets them);
 * `sessionCookie` is the cookie the `session` scheme documents.
 */
export function apiDocumentOptions(baseUrl: string, sessionCookie: string): SwaggerOptions {
  return {
    transformObject: (document) =>
      'openapiObject' in document ? problemMediaType(document) : document.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quire API',
        version: '1.0.0',
        description:
          "Compatible with Forem's API V1: DEV tools work against it once pointed at this /api.",
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: baseUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
        },
      },
    },
  };
}
