/**
 * The one list of error codes that may cross a bridge (IPC or WebSocket), and the envelope every
 * call returns. Expected failures carry one of these codes; anything else is a bug and crosses as
 * `internal` with a generic message, so no stack trace or path leaks into the UI.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_method',
  'unauthorized',
  'not_found',
  'conflict',
  'provider_auth',
  'insufficient_credits',
  'rate_limited',
  'offline',
  'unsupported_format',
  'canceled',
  'unavailable',
  /** The provider took the work and then failed it: its own words (and code) are in the message. */
  'provider_failed',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** An expected failure: thrown by engine code, turned into an envelope at the boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function ok<T>(result: T): Envelope<T> {
  return { ok: true, result };
}

export function fail(code: ErrorCode, message: string, details?: unknown): Envelope<never> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
}

/** Rebuilds an AppError on the calling side of a bridge, so callers can `catch` with a code. */
export function errorFromInfo(info: ErrorInfo): AppError {
  return new AppError(info.code, info.message, info.details);
}
