import { apiMethods, isMethodName, type ApiHandlers } from '../../shared/api';
import { AppError, fail, ok, type Envelope } from '../../shared/errors';
import { parseArgs } from '../../shared/validation';
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
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return fail('unknown_method', `Unknown method: ${describe(method)}.`);
  }
  const parsed = parseArgs(apiMethods[method].args, rawArgs ?? {});
  if (!parsed.ok) return { ok: false, error: parsed.error.toInfo() };
  try {
    const handler = handlers[method] as (args: unknown) => unknown;
    return ok(await handler(parsed.data));
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toInfo() };
    log.error('api.unexpected_error', { method, error });
    return fail('internal', `Something went wrong in ${method}. The details are in the log.`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  return typeof value;
}
