import { z } from 'zod';

const MAX_PARAMS = 64;
const MAX_PARAMS_JSON_CHARS = 64 * 1024;

/** An operation's settings: checked against the operation's own schema later, bounded here. */
export const ParamsSchema = z
  .record(z.string().max(100), z.unknown())
  .refine((params) => Object.keys(params).length <= MAX_PARAMS, `at most ${MAX_PARAMS} settings`)
  .refine((params) => jsonLength(params) <= MAX_PARAMS_JSON_CHARS, 'the settings are too large');

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY; // a cycle (only possible in-process) is never a valid setting
  }
}
