import type { z } from 'zod';
import { AppError } from './errors';

/**
 * One way to check what someone sent against a schema and to say what is wrong with it, used at
 * the API boundary and wherever the engine validates a nested value (recipe parameters, export
 * presets, staging settings). Messages stay short whatever was sent: a list of 50,000 bad entries
 * is described by its first few problems and a count, never echoed back in full.
 */
export const LISTED_PROBLEMS = 5;
const DETAILED_PROBLEMS = 20;
const MAX_PATH_CHARS = 120;
const MAX_PROBLEM_CHARS = 240;

export interface Problem {
  path: string[];
  message: string;
}

type Issue = z.core.$ZodIssue;

/** A missing field reads "<field> is required" rather than "expected string, received undefined". */
const requiredMessage = (issue: z.core.$ZodRawIssue): string | undefined =>
  (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') &&
  issue.input === undefined
    ? 'is required'
    : undefined;

/** Parses `value` with `schema`; on failure throws `invalid_input` naming the first few problems. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject?: string): z.output<S> {
  const parsed = schema.safeParse(value, { error: requiredMessage });
  if (parsed.success) return parsed.data;
  throw invalidInput(parsed.error.issues, subject);
}

/** Like `parseOrThrow`, but answers instead of throwing. */
export function parseArgs<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.output<S> } | { ok: false; error: AppError } {
  const parsed = schema.safeParse(value, { error: requiredMessage });
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, error: invalidInput(parsed.error.issues) };
}

/** An `invalid_input` error for zod issues: a bounded sentence, and the first problems as details. */
export function invalidInput(issues: readonly Issue[], subject?: string): AppError {
  const problems = issues.map((issue) => toProblem(issue, subject));
  const listed = problems.slice(0, LISTED_PROBLEMS).map(describeProblem);
  const more = problems.length - listed.length;
  const message = `${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  const details = { issues: problems.slice(0, DETAILED_PROBLEMS), ...(more > 0 ? { total: problems.length } : {}) };
  return new AppError('invalid_input', message || 'The input is not valid.', details);
}

function toProblem(issue: Issue, subject: string | undefined): Problem {
  const path = issue.path.map((part) => clip(String(part), MAX_PATH_CHARS));
  return { path: path.length > 0 ? path : subject ? [subject] : [], message: clip(issue.message, MAX_PROBLEM_CHARS) };
}

function describeProblem(problem: Problem): string {
  const where = clip(problem.path.join('.'), MAX_PATH_CHARS);
  if (!where) return problem.message;
  return problem.message === 'is required' ? `${where} is required` : `${where}: ${problem.message}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
