/**
 * A list of our own constants (job states, kinds) as SQL literals, for `IN (…)`: the vocabulary
 * stays in one place (shared/job-model.ts) instead of being copied into each query. Never for
 * values that come from a caller; those are bound as parameters.
 */
export function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
}
