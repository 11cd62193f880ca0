/** Errors the application raises on purpose, each with a stable code and an HTTP status. */

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'rate_limited'
  | 'setup_done'
  | 'bad_gateway'
  | 'unavailable'
  | 'internal';

export const errorStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  setup_done: 409,
  bad_gateway: 502,
  unavailable: 503,
  internal: 500,
};

/** One failed check on one field of the input. */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  /** Seconds the client should wait, for 429 and 503 answers. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { errors?: FieldError[]; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatus[code];
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
  }
}

export const notFound = (what = 'not found') => new AppError('not_found', what);

/** A 422 listing every field that failed; the message reads like Forem's. */
export function validationFailed(errors: FieldError[]): AppError {
  const summary = errors.map((e) => e.message).join(', ');
  return new AppError('validation_failed', `Validation failed: ${summary}`, { errors });
}

/**
 * Something the operator must fix before the server can start (a port in use, an address that is
 * not this machine's); the command line prints it as one line, without a stack.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The database could not be opened or reached; the message is meant for a person. Here rather
 * than in `db/connect.ts` so that the command line can recognise it without loading the database
 * code.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
