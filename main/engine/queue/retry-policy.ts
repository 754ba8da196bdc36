import type { RequestFailure } from '../net/http';
import type { ErrorCode } from '../../../shared/errors';

/**
 * When and how long to wait before retrying a provider request, and what a failure means for the
 * job (see "The queue" in DESIGN.md). Pure: time and randomness are passed in, so the scheduler and
 * the tests decide what "now" is.
 */

export interface RetryPolicy {
  /** First retry waits up to this long; each further attempt doubles it. */
  baseMs: number;
  /** No backoff window grows past this. */
  capMs: number;
  /** Attempts after which a job stops retrying and becomes `failed`. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 2_000, capMs: 5 * 60_000, maxAttempts: 8 };

/** No wait, whatever a server or a policy asks, is longer than this: a job must not look stuck for hours. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

export function hasAttemptsLeft(attemptsMade: number, policy: RetryPolicy): boolean {
  return attemptsMade < policy.maxAttempts;
}

/** The upper end of the jitter window, `min(cap, base·2^attempt)`, computed without ever overflowing. */
export function backoffCeilingMs(attempt: number, policy: RetryPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be an integer >= 0: ${attempt}`);
  const { baseMs, capMs } = policy;
  if (!(baseMs >= 0 && capMs >= 0)) throw new RangeError('baseMs and capMs must be >= 0');
  if (baseMs === 0) return 0;
  // How many doublings take base to the cap. Past that we return the cap without exponentiating, so
  // attempt 5000 gives the cap rather than Infinity (or NaN once multiplied by something).
  const doublingsToCap = Math.max(0, Math.ceil(Math.log2(capMs / baseMs)));
  return attempt >= doublingsToCap ? capMs : Math.min(capMs, baseMs * 2 ** attempt);
}

/**
 * Full jitter (`random(0, min(cap, base·2^attempt))`): spreads the retries of many jobs that failed
 * together, so they do not come back as one burst. `attempt` counts the attempts already made
 * (0 for the first retry). Whole milliseconds, since `next_attempt_at` is stored as an integer.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(attempt, policy);
  const r = random();
  if (!(r >= 0 && r <= 1)) throw new RangeError(`random() must return a number in [0, 1]: ${r}`);
  return Math.floor(r * ceiling);
}

const DELTA_SECONDS = /^\d+$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7). Matched whole, so strings
// that Date.parse would happily read ("-1", "2015", "tomorrow-ish") are rejected.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
  'i',
);
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`, 'i');

interface DateParts {
  year: number;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/** Epoch ms of the parts, or null when they name no real moment (Feb 30, 25:00). */
function utcMs(parts: DateParts): number | null {
  const month = MONTHS.indexOf(parts.month.toLowerCase());
  const day = Number(parts.day.trim());
  const [hour, minute, second] = [Number(parts.hour), Number(parts.minute), Number(parts.second)];
  // 60 is allowed for a leap second.
  if (month < 0 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(parts.year, month, day);
  // It rolls Feb 30 over to March; a day that had to move is not a real date.
  if (date.getUTCDate() !== day) return null;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** RFC 9110: a two-digit year more than 50 years ahead means the most recent past year with those digits. */
function rfc850Year(twoDigits: number, now: number): number {
  const currentYear = new Date(now).getUTCFullYear();
  let year = Math.floor(currentYear / 100) * 100 + twoDigits;
  if (year > currentYear + 50) year -= 100;
  return year;
}

/** Epoch ms of an HTTP-date, or null if the text is not one. */
export function parseHttpDate(text: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(text);
  if (m) {
    const [, day = '', month = '', year = '', hour = '', minute = '', second = ''] = m;
    return utcMs({ year: Number(year), month, day, hour, minute, second });
  }
  m = RFC850_DATE.exec(text);
  if (m) {
    const [, day = '', month = '', year = '', hour = '', minute = '', second = ''] = m;
    return utcMs({ year: rfc850Year(Number(year), now), month, day, hour, minute, second });
  }
  m = ASCTIME_DATE.exec(text);
  if (m) {
    const [, month = '', day = '', hour = '', minute = '', second = '', year = ''] = m;
    return utcMs({ year: Number(year), month, day, hour, minute, second });
  }
  return null;
}

/**
 * The wait a `Retry-After` header asks for, in ms, or null when there is none we can trust.
 * Delta-seconds must be digits only (RFC 9110: `1*DIGIT`), so "1.5" and "-3" are refused rather
 * than guessed at. A date in the past asks for no wait. Capped at an hour.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (DELTA_SECONDS.test(text)) return Math.min(MAX_RETRY_DELAY_MS, Number(text) * 1000);
  const at = parseHttpDate(text, now);
  if (at === null) return null;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, at - now));
}

/**
 * The wait before the next attempt: the jittered backoff, but never shorter than what the server
 * asked for (a server saying "3 s" must get at least 3 s), and never longer than an hour.
 */
export function nextAttemptDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelayMs(attempt, policy, random);
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, retryAfterMs ?? 0));
}

/**
 * - transient: nothing happened on the provider's side; retry after a backoff.
 * - ambiguous: a paid request may have been accepted; resend only with the same idempotency key,
 *   reconcile, or ask the editor (`needs_review`). Never a blind retry.
 * - permanent: the same request will fail the same way; the job fails.
 * - credits: pause the provider and tell the user; burns no attempt.
 * - auth: the key is wrong or revoked; pause the provider and tell the user.
 */
export type ErrorClass = 'transient' | 'ambiguous' | 'permanent' | 'credits' | 'auth';

/** The user's cancel is not an error: it has its own outcome. */
export type Classification = ErrorClass | 'canceled';

// What failed, as the HTTP client reports it (net/http.ts); classified below.
export type { RequestFailure };

export interface RequestContext {
  /** The request spends money (a submit), as opposed to a status poll or a download. */
  paid: boolean;
}

export interface ClassificationRow {
  /** What the row covers; names the row in tests and logs. */
  when: string;
  match: (failure: RequestFailure) => boolean;
  /** Only for paid (true) or unpaid (false) requests; absent for both. */
  paid?: boolean;
  class: Classification;
}

const isKind =
  (kind: RequestFailure['kind'], phase?: 'before_send' | 'after_send') =>
  (f: RequestFailure): boolean =>
    f.kind === kind && (phase === undefined || ('phase' in f && f.phase === phase));

const isStatus =
  (...statuses: number[]) =>
  (f: RequestFailure): boolean =>
    f.kind === 'http' && statuses.includes(f.status);

const isStatusIn =
  (from: number, to: number) =>
  (f: RequestFailure): boolean =>
    f.kind === 'http' && f.status >= from && f.status <= to;

/** First matching row wins, so the specific rows come before the ranges. */
export const CLASSIFICATION_TABLE: readonly ClassificationRow[] = [
  // The user asked for it: not a failure, never retried.
  { when: 'aborted by the user', match: isKind('aborted'), class: 'canceled' },
  // Providers report an empty balance under many statuses (400, 403, 429…); retrying would only burn
  // attempts, so the provider code wins over the status.
  {
    when: 'provider code insufficient_credits (any status)',
    match: (f) => f.kind === 'http' && f.providerCode === 'insufficient_credits',
    class: 'credits',
  },
  // An adapter's word for "your identical request is still being worked on" (e.g. AIXpose's 409 for an
  // Idempotency-Key in use): wait and ask again, the answer will be the first request's.
  {
    when: 'provider code request_in_progress (any status)',
    match: (f) => f.kind === 'http' && f.providerCode === 'request_in_progress',
    class: 'transient',
  },
  // The key works but may not do this (a missing scope, as AI Visual Studio words it): this
  // operation fails the same way until the key changes, while the provider's other operations go on.
  {
    when: 'provider code insufficient_scope (any status)',
    match: (f) => f.kind === 'http' && f.providerCode === 'insufficient_scope',
    class: 'permanent',
  },
  // Nothing left the machine, and the same address will be refused again: a human must look.
  { when: 'refused by our rules before sending', match: isKind('refused'), class: 'permanent' },
  // 402 Payment Required: out of credits or billing lapsed; the user must act.
  { when: 'HTTP 402', match: isStatus(402), class: 'credits' },
  // The key is missing, wrong or lacks rights; every request will fail until the user fixes it.
  { when: 'HTTP 401 or 403', match: isStatus(401, 403), class: 'auth' },
  // Nothing was written to the socket (refused, DNS, TLS), so the provider cannot have it.
  { when: 'network error before send', match: isKind('network', 'before_send'), class: 'transient' },
  { when: 'timeout before send', match: isKind('timeout', 'before_send'), class: 'transient' },
  // The request left and no answer came: the provider may have started paid work.
  { when: 'network error after send (paid)', match: isKind('network', 'after_send'), paid: true, class: 'ambiguous' },
  // A poll or a download has no side effect: asking again is safe.
  {
    when: 'network error after send (unpaid)',
    match: isKind('network', 'after_send'),
    paid: false,
    class: 'transient',
  },
  { when: 'timeout after send (paid)', match: isKind('timeout', 'after_send'), paid: true, class: 'ambiguous' },
  { when: 'timeout after send (unpaid)', match: isKind('timeout', 'after_send'), paid: false, class: 'transient' },
  // A 2xx we cannot read still means the provider accepted the paid work.
  { when: 'unreadable 2xx (paid)', match: isKind('invalid_response'), paid: true, class: 'ambiguous' },
  // An unreadable poll or download (truncated body, a proxy page) can simply be fetched again.
  { when: 'unreadable 2xx (unpaid)', match: isKind('invalid_response'), paid: false, class: 'transient' },
  // 429 Too Many Requests: refused unprocessed, come back later (the token bucket slows down too).
  { when: 'HTTP 429', match: isStatus(429), class: 'transient' },
  // 425 Too Early (RFC 8470): the server declined to process a request that might be replayed.
  { when: 'HTTP 425', match: isStatus(425), class: 'transient' },
  // 503 Service Unavailable: explicitly not processed (overload, maintenance), try later.
  { when: 'HTTP 503', match: isStatus(503), class: 'transient' },
  // 408 on a paid request: some gateways answer 408 when the upstream was slow after the whole
  // request was forwarded, so the work may have been accepted.
  { when: 'HTTP 408 (paid)', match: isStatus(408), paid: true, class: 'ambiguous' },
  // 500/502/504 on a paid request: the server (or the one behind the gateway) may have accepted the
  // work before failing or timing out.
  { when: 'HTTP 500, 502 or 504 (paid)', match: isStatus(500, 502, 504), paid: true, class: 'ambiguous' },
  // Any other 5xx on a paid request (CDN 520/524, 507…): unknown whether the work was accepted, and
  // guessing "not" could charge twice; ambiguous still resends when an idempotency key allows.
  { when: 'other 5xx (paid)', match: isStatusIn(500, 599), paid: true, class: 'ambiguous' },
  // A poll or download that timed out at the server, or hit a server error: repeating it is harmless.
  { when: 'HTTP 408 (unpaid)', match: isStatus(408), paid: false, class: 'transient' },
  { when: 'HTTP 5xx (unpaid)', match: isStatusIn(500, 599), paid: false, class: 'transient' },
  // Validation, not found, conflict, too large, unsupported media…: the same request gets the same answer.
  { when: 'other 4xx (400, 404, 405, 409, 413, 415, 422…)', match: isStatusIn(400, 499), class: 'permanent' },
  // A status that is no error at all (1xx–3xx) reported as one: retrying gets the same answer; a human should look.
  { when: 'HTTP status outside 400–599', match: (f) => f.kind === 'http', class: 'permanent' },
];

/** What a failed request means for the job. Throws only if the table has a hole (a bug). */
export function classifyFailure(failure: RequestFailure, request: RequestContext): Classification {
  const row = CLASSIFICATION_TABLE.find((r) => (r.paid === undefined || r.paid === request.paid) && r.match(failure));
  if (!row) throw new Error(`no classification for ${JSON.stringify(failure)} (paid: ${request.paid})`);
  return row.class;
}

/** The app-wide error code shown for a class; a 429 is told apart so the UI can say "rate limited". */
export function errorCodeForClass(c: Classification, failure?: RequestFailure): ErrorCode {
  switch (c) {
    case 'transient':
      return failure?.kind === 'http' && failure.status === 429 ? 'rate_limited' : 'unavailable';
    case 'ambiguous':
      return 'unavailable';
    case 'permanent':
      return 'invalid_input';
    case 'credits':
      return 'insufficient_credits';
    case 'auth':
      return 'provider_auth';
    case 'canceled':
      return 'canceled';
    default: {
      const unreachable: never = c;
      throw new Error(`unknown class ${String(unreachable)}`);
    }
  }
}
