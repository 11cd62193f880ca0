/**
 * Error bodies: Forem's `error` and `status` (so DEV clients understand them) with the fields of
 * RFC 9457 problem details beside them.
 */
import { type Static, Type } from 'typebox';
import type { FieldError } from '../errors.ts';

/** RFC 9457's media type; clients that parse any body as JSON (Forem's) read it unchanged. */
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

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
export type Problem = Static<typeof Problem>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const statusTitle = (status: number) =>
  TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Error');

export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
): Problem {
  return {
    error: detail,
    status,
    type: `urn:quire:problem:${code}`,
    title: statusTitle(status),
    detail,
    ...(errors && errors.length > 0 && { errors }),
  };
}
