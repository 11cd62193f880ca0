/** Assertions on Quire's error answers: Forem's `error`/`status` beside RFC 9457 problem fields. */
import assert from 'node:assert/strict';
import type { Response } from './http.ts';

export interface ExpectedProblem {
  status: number;
  /** The stable code: the body's `type` is `urn:quire:problem:<code>`. */
  code: string;
  /** A field that must be named in `errors`; without it, `errors` must be absent. */
  field?: string | RegExp;
}

/** RFC 9110 reason phrases for the statuses the API answers with. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** Checks status, content type and the whole error body shape; returns the parsed body. */
export function assertProblem(res: Response, expected: ExpectedProblem): any {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, expected.status, where);
  assert.match(
    res.headers.get('content-type') ?? '',
    /^application\/problem\+json; charset=utf-8$/,
    where,
  );
  const body = res.json();
  assert.equal(typeof body, 'object', where);
  assert.equal(typeof body.error, 'string', where);
  assert.ok(body.error.length > 0, where);
  assert.equal(body.status, expected.status, where);
  assert.equal(body.type, `urn:quire:problem:${expected.code}`, where);
  assert.equal(body.title, TITLES[expected.status], where);
  assert.equal(typeof body.detail, 'string', where);
  assert.ok(body.detail.length > 0, where);
  if (expected.field === undefined) {
    assert.equal(body.errors, undefined, `no field errors expected: ${where}`);
  } else {
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0, where);
    for (const e of body.errors) {
      assert.equal(typeof e.field, 'string', where);
      assert.equal(typeof e.message, 'string', where);
      assert.ok(e.message.length > 0, where);
    }
    const want = expected.field;
    const fields: string[] = body.errors.map((e: { field: string }) => e.field);
    assert.ok(
      fields.some((f) => (typeof want === 'string' ? f === want : want.test(f))),
      `errors should name ${want}; got ${fields.join(', ')}`,
    );
  }
  return body;
}

/**
 * Checks an error answered as a page in the site's layout (HTML routes, feeds): status, type, the
 * error page's status line, and its explanation, which must match `detail`.
 */
export function assertProblemPage(res: Response, status: number, detail: RegExp): void {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, where);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/, where);
  assert.match(res.text, /^<!doctype html>/i, where);
  assert.match(res.text, new RegExp(`<p class="status">Error ${status}</p>`), where);
  const explained = /<section class="narrow error-page">\s*<h1>[^<]*<\/h1>\s*<p>([^<]*)<\/p>/.exec(
    res.text,
  );
  assert.match(explained?.[1] ?? '', detail, where);
}

/** Text that must never reach a client: stack frames, SQL, file paths, error class prefixes. */
export function assertNoInternals(text: string): void {
  const leaks: Array<[string, RegExp]> = [
    ['a stack frame', /\bat \S+ \(|\bat (file:|node:|\/)|:\d+:\d+\)?/],
    ['an error class prefix', /\b\w*Error:/],
    ['SQL', /\bselect\b[\s\S]*\bfrom\b|\binsert into\b|\bsqlite\b|\bpostgres\b|\bkysely\b/i],
    ['a file path', /\/(work|home|tmp|usr|src|node_modules)\/|\.ts\b|\.js\b/],
    ['the driver message', /destroyed|ECONNREFUSED|database is closed/i],
  ];
  // The layout's own stylesheet and script are the only file names a page may name.
  const own = text.replace(/\/static\/quire\.[\w-]+\.(css|js)\b/g, '');
  for (const [what, pattern] of leaks) {
    assert.doesNotMatch(own, pattern, `the answer leaks ${what}: ${text.slice(0, 500)}`);
  }
}
