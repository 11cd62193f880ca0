/**
 * Whole numbers that arrive in URLs: query parameters (`?page=2`, `?collection_id=7`) and ids in
 * paths. Routes declare them with `UrlInteger`, so one rule holds everywhere: decimal digits,
 * given once, inside a stated range; anything else is a 422 (a 404 for a path).
 *
 * Why not `Type.Integer` alone: Fastify's Ajv coerces URL text with JavaScript's `+`, which reads
 * "Infinity", "1e309", "0x10" and " 7" as numbers. The infinite ones then pass `type: integer`
 * (Ajv checks finiteness only before coercing) and skip `minimum`/`maximum` (applied to finite
 * numbers only), so `?page=Infinity` reached the database and failed there with a 500. The first
 * half of `UrlInteger`, the `x-url-digits` keyword (an extension, as OpenAPI names them), reads the
 * text before Ajv coerces it; the second half is the integer with its range, which Ajv checks and
 * the API document shows.
 */
import type { FastifyServerOptions } from 'fastify';
import { type TUnsafe, Type } from 'typebox';

export interface IntegerRange {
  minimum: number;
  maximum: number;
}

/** Ids: rows are numbered from 1, and no larger number survives a trip through a double. */
export const ID_RANGE: IntegerRange = { minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
/** Page numbers of API lists and site pages. */
export const PAGE_RANGE: IntegerRange = { minimum: 1, maximum: 100_000 };

/** Sixteen digits hold every safe integer, and no string of them coerces to Infinity. */
const DIGITS = /^-?[0-9]{1,16}$/;
const KEYWORD = 'x-url-digits';

interface KeywordError {
  keyword: string;
  message: string;
  params: Record<string, never>;
}

/** Ajv keyword: the value, while still text, is written in decimal digits, and given once. */
function urlDigits(_schema: unknown, data: unknown): boolean {
  const fail = (message: string) => {
    urlDigits.errors = [{ keyword: KEYWORD, message, params: {} }];
    return false;
  };
  // `?page=1&page=2` arrives as an array; Ajv would report it as "must be integer".
  if (Array.isArray(data)) return fail('must be given once');
  if (typeof data !== 'string') return true;
  if (!/^-?[0-9]+$/.test(data)) return fail('must be a whole number written in digits');
  return DIGITS.test(data) || fail('is out of range');
}
urlDigits.errors = [] as KeywordError[];

type AjvPlugin = NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number];

/** Fastify's `ajv.plugins` entry that teaches Ajv the `x-url-digits` keyword. */
export const urlDigitsKeyword: AjvPlugin = (ajv) =>
  ajv.addKeyword({ keyword: KEYWORD, schemaType: 'boolean', errors: true, validate: urlDigits });

/** A whole number in a query string or a path, in `range`; Ajv hands the route a number. */
export function UrlInteger(range: IntegerRange, description?: string): TUnsafe<number> {
  return Type.Unsafe<number>({
    allOf: [{ [KEYWORD]: true }, { type: 'integer', ...range }],
    ...(description !== undefined && { description }),
  });
}

/** The same rule for code that reads a URL itself (cache keys, the fast path): null if broken. */
export function urlInteger(text: string, range: IntegerRange): number | null {
  if (!DIGITS.test(text)) return null;
  const n = Number(text);
  return n >= range.minimum && n <= range.maximum ? n : null;
}

/**
 * A query parameter that must be a whole number in `range`, read from a raw query string:
 * undefined when absent, null when broken or repeated.
 */
export function queryInteger(
  query: string,
  name: string,
  range: IntegerRange,
): number | null | undefined {
  const values = new URLSearchParams(query).getAll(name);
  if (values.length === 0) return undefined;
  return values.length === 1 && values[0] !== undefined ? urlInteger(values[0], range) : null;
}

/** `page`, as every paged list and page takes it. */
export const PageNumber = UrlInteger(PAGE_RANGE, 'Page number, from 1 (the default)');

/**
 * `per_page`. Forem's lists clamp a large one to their maximum rather than refuse it, so by
 * default any count that is a safe integer is taken and the list clamps it.
 */
export const PerPage = (description: string, maximum = Number.MAX_SAFE_INTEGER) =>
  UrlInteger({ minimum: 1, maximum }, description);

/** An id in a path or a query string. */
export const IdNumber = UrlInteger(ID_RANGE);
