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
