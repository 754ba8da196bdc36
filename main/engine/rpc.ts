import { apiMethods, isMethodName, type ApiHandlers } from '../../shared/api';
import { AppError, fail, ok, type Envelope } from '../../shared/errors';
import { parseArgs } from '../../shared/validation';
import type { z } from 'zod';
import type { Logger } from './log';

/**
 * The boundary every call crosses, whichever shell it came from: the method must be in the table,
 * its arguments must match the schema, and whatever happens the caller gets an envelope. Only
 * AppErrors keep their message; anything else is a bug, logged here and reported as `internal`.
 */
export async function dispatch(
  handlers: ApiHandlers,
  method: unknown,
  rawArgs: unknown,
  log: Logger,
  extra: ExtraMethods = {},
): Promise<Envelope<unknown>> {
  const entry = methodEntry(handlers, method, extra);
  if (!entry) return fail('unknown_method', `Unknown method: ${describe(method)}.`);
  const parsed = parseArgs(entry.args, rawArgs ?? {});
  if (!parsed.ok) return { ok: false, error: parsed.error.toInfo() };
  try {
    return ok(await entry.handler(parsed.data));
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toInfo() };
    log.error('api.unexpected_error', { method, error });
    return fail('internal', `Something went wrong in ${String(method)}. The details are in the log.`);
  }
}

/** Where the shells send every call: the running engine's handlers, or a refusal while it is stopped. */
export interface CallTarget {
  call: (method: unknown, args: unknown) => Promise<Envelope<unknown>>;
}

/** A stopped (or not yet started) engine answers every call with `unavailable`. */
export const NOT_RUNNING: CallTarget = {
  call: () => Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'The engine is not running.' } }),
};

/** The running engine's handlers behind the boundary. */
export class Dispatcher implements CallTarget {
  constructor(
    private readonly handlers: ApiHandlers,
    private readonly log: Logger,
    private readonly extra: ExtraMethods = {},
  ) {}

  call(method: unknown, args: unknown): Promise<Envelope<unknown>> {
    return dispatch(this.handlers, method, args, this.log, this.extra);
  }
}

/**
 * Methods outside the contract, for tests only (a method that throws a bug on purpose proves the
 * boundary still answers `internal`). Neither shell passes any.
 */
export type ExtraMethods = Readonly<Record<string, { args: z.ZodType; handler: (args: unknown) => unknown }>>;

function methodEntry(
  handlers: ApiHandlers,
  method: unknown,
  extra: ExtraMethods,
): { args: z.ZodType; handler: (args: unknown) => unknown } | null {
  if (isMethodName(method)) {
    return { args: apiMethods[method].args, handler: handlers[method] as (args: unknown) => unknown };
  }
  return typeof method === 'string' && Object.hasOwn(extra, method) ? (extra[method] ?? null) : null;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  return typeof value;
}
