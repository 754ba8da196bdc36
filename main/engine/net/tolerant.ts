/**
 * Reading provider answers whose shape the provider's doc leaves open. Where a doc is silent, we
 * accept every plausible form (a list bare or wrapped, `id` or `picture_id`, a number or a numeric
 * string, status words in any case or under their common synonyms) instead of the one form our
 * own sandbox happens to send. Each adapter names the candidates for each field; these helpers only
 * know how to look.
 */

export type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** The first of `names` present as a non-empty string (a number is read as its decimal string). */
export function pickString(value: unknown, ...names: string[]): string | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  for (const name of names) {
    const found = record[name];
    if (typeof found === 'string' && found.trim() !== '') return found.trim();
    if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  }
  return undefined;
}

/** The first of `names` present as a finite number (a numeric string counts). */
export function pickNumber(value: unknown, ...names: string[]): number | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  for (const name of names) {
    const found = record[name];
    if (typeof found === 'number' && Number.isFinite(found)) return found;
    if (typeof found === 'string' && found.trim() !== '' && Number.isFinite(Number(found))) return Number(found);
  }
  return undefined;
}

/** The first of `names` present as an object. */
export function pickRecord(value: unknown, ...names: string[]): Json | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  for (const name of names) {
    const found = asRecord(record[name]);
    if (found) return found;
  }
  return undefined;
}

/**
 * A list given bare, or under one of `names`, or one level deeper under `data` (`{data:{items:[…]}}`).
 * Null when there is no list at all.
 */
export function pickList(value: unknown, ...names: string[]): unknown[] | null {
  if (Array.isArray(value)) return value as unknown[];
  const record = asRecord(value);
  if (!record) return null;
  for (const name of names) {
    const found = record[name];
    if (Array.isArray(found)) return found as unknown[];
  }
  const data = asRecord(record.data);
  return data ? pickList(data, ...names.filter((name) => name !== 'data')) : null;
}

/** The common list wrappers, for answers that are "a list of X" with no particular name. */
export const LIST_NAMES = ['data', 'items', 'results', 'entries'] as const;

export type WorkStatus = 'pending' | 'completed' | 'failed';

const COMPLETED = new Set(['completed', 'complete', 'done', 'succeeded', 'success', 'successful', 'finished', 'ready']);
const FAILED = new Set(['failed', 'failure', 'error', 'errored', 'canceled', 'cancelled', 'rejected', 'expired']);

/**
 * A status word as the queue understands it, whatever its case or spelling: anything that is not
 * plainly finished or failed is still pending (queued, processing, running, in_progress…).
 */
export function workStatus(word: unknown): WorkStatus {
  if (typeof word !== 'string') return 'pending';
  const normal = word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (COMPLETED.has(normal)) return 'completed';
  if (FAILED.has(normal)) return 'failed';
  return 'pending';
}

/** Parses JSON, or undefined when the body is not JSON at all. */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What an answer says was charged and what is left, wherever it says it: `credits_charged`,
 * `charged`, `cost`… at the top, or inside `credits`/`billing`/`usage`.
 */
export function readCharge(body: unknown): { charged?: number; balance?: number } {
  const billing = pickRecord(body, 'credits', 'billing', 'usage', 'cost');
  const charged =
    pickNumber(body, 'credits_charged', 'charged', 'credits_used', 'cost', 'credits') ??
    pickNumber(billing, 'charged', 'used', 'amount', 'cost', 'credits');
  const balance =
    pickNumber(body, 'balance', 'credits_remaining', 'remaining_credits', 'balance_after') ??
    pickNumber(billing, 'remaining', 'balance', 'balance_after', 'left');
  return {
    ...(charged === undefined ? {} : { charged }),
    ...(balance === undefined ? {} : { balance }),
  };
}

/** Words from an unreadable answer a person can make sense of: a short excerpt, markup stripped. */
export function excerpt(raw: Buffer): string {
  const text = raw
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return 'an empty answer';
  return `"${text.length > 160 ? `${text.slice(0, 159)}…` : text}"`;
}
