import { apiMethods, isMethodName, type ApiHandlers } from '../../shared/api';
import { AppError, fail, ok, type Envelope } from '../../shared/errors';
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
  const parsed = apiMethods[method].args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    return fail('invalid_input', summarizeIssues(parsed.error.issues), {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  try {
    const handler = handlers[method] as (args: unknown) => unknown;
    return ok(await handler(parsed.data));
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toInfo() };
    log.error('api.unexpected_error', { method, error });
    return fail('internal', `Something went wrong in ${method}. The details are in the log.`);
  }
}

function summarizeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  return typeof value;
}
