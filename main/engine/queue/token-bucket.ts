/**
 * A rate limiter for one provider account. Every request counts, status polls included (DESIGN.md,
 * "The queue"). Pure apart from the injected clock, so minute-scale limits are tested in no time.
 *
 * Two mechanisms work together:
 * - a token bucket paces requests and keeps bursts small;
 * - for limiters built from a documented "R requests per W ms", a log of the last R grant times
 *   makes "never more than R in any W-long window" exact. A bucket alone cannot promise that with
 *   a useful rate: a window can see the tokens saved up before it plus everything refilled during it.
 */

export interface RateWindow {
  requests: number;
  ms: number;
}

export interface TokenBucketOptions {
  /** Most tokens the bucket holds, i.e. the largest burst. It starts full. */
  capacity: number;
  refillPerMs: number;
  now: () => number;
  /** A hard limit of `requests` in any sliding `ms`, kept exactly on top of the bucket. */
  window?: RateWindow;
}

/** What a provider's rate-limit headers told us. */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Epoch ms at which the provider's window resets. */
  resetAtMs?: number;
}

// Tokens are fractional and refilled by float arithmetic; a token 1e-12 short after exactly the
// advertised wait must still count. The hard per-window limit does not depend on this tolerance.
const TOKEN_EPSILON = 1e-9;

/**
 * The burst a limiter of `requests` per window allows: a quarter of the window's worth, at least 1.
 * Starting with a full window's worth would send it all at once at start-up (or after an outage),
 * which a server counting in windows shorter than ours, or one that was already counting our last
 * requests, refuses with 429s.
 */
export function burstCapacity(requests: number): number {
  return Math.max(1, Math.floor(requests / 4));
}

/** How much longer than its width a window is held: 2% (1.2 s of a minute), what ≥ 90% use of it allows. */
export function windowMargin(windowMs: number): number {
  return windowMs * 0.02;
}

function assertWindow(requests: number, windowMs: number): void {
  if (!Number.isInteger(requests) || requests < 1)
    throw new RangeError(`requests must be an integer >= 1: ${requests}`);
  if (!(windowMs > 0 && Number.isFinite(windowMs))) throw new RangeError(`windowMs must be > 0: ${windowMs}`);
}

export class TokenBucket {
  private capacity: number;
  private refillPerMs: number;
  private readonly clock: () => number;
  private tokens: number;
  /** Tokens are counted up to this time. It lies in the future while paused: nothing refills before it. */
  private refilledAt: number;
  private window: RateWindow | undefined;
  /**
   * The last `window.requests` grants, oldest first. An open one (a request not answered yet) counts
   * as happening now: the provider may count it at any moment until its answer arrives.
   */
  private readonly grants: { at: number; open: boolean }[] = [];

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1 && Number.isFinite(options.capacity))) {
      throw new RangeError(`capacity must be >= 1: ${options.capacity}`);
    }
    if (!(options.refillPerMs > 0 && Number.isFinite(options.refillPerMs))) {
      throw new RangeError(`refillPerMs must be > 0: ${options.refillPerMs}`);
    }
    if (options.window) assertWindow(options.window.requests, options.window.ms);
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerMs;
    this.clock = options.now;
    this.window = options.window ? { ...options.window } : undefined;
    this.tokens = options.capacity;
    this.refilledAt = options.now();
  }

  /** A limiter for a documented "n requests per minute" (AI Visual Studio 60/min, ProductAI 15/min). */
  static perMinute(n: number, now: () => number): TokenBucket {
    return TokenBucket.perWindow(n, 60_000, now);
  }

  /**
   * At most `requests` in any `windowMs`, paced at that rate, with a small burst (see burstCapacity)
   * rather than the whole window's worth at start.
   */
  static perWindow(requests: number, windowMs: number, now: () => number): TokenBucket {
    assertWindow(requests, windowMs);
    return new TokenBucket({
      capacity: burstCapacity(requests),
      refillPerMs: requests / windowMs,
      now,
      window: { requests, ms: windowMs },
    });
  }

  /** Takes a token if one is available now; the caller sends the request only on true. */
  tryTake(): boolean {
    return this.take(false) !== null;
  }

  /**
   * Takes a token for a request whose answer the caller will report (`settle` with the time this
   * returns): until then its place in the window counts as now. Null: no token yet.
   */
  takeUntilSettled(): number | null {
    return this.take(true);
  }

  /**
   * The request granted at `grantedAt` was answered (or failed) now: the provider has certainly
   * counted it by now, so its place in the window is held from now. A grant and its arrival can be
   * far apart on a loaded machine (a durable write, a slow connection, a stream held open); counted
   * as now until answered and from the answer after, "never more than R in any W" holds whatever
   * that delay was.
   */
  settle(grantedAt: number): void {
    const entry = this.grants.find((grant) => grant.open && grant.at === grantedAt);
    if (!entry) return;
    entry.open = false;
    entry.at = Math.max(grantedAt, this.clock());
    this.grants.sort((a, b) => a.at - b.at);
  }

  private take(open: boolean): number | null {
    const now = this.clock();
    this.refill(now);
    if (this.bucketWaitMs(now) > 0 || this.windowWaitMs(now) > 0) return null;
    this.tokens = Math.max(0, this.tokens - 1);
    this.recordGrant(now, open);
    return now;
  }

  /** Whole ms until tryTake() can succeed (0: now), assuming nobody else takes in between. */
  msUntilAvailable(): number {
    const now = this.clock();
    this.refill(now);
    return Math.ceil(Math.max(this.bucketWaitMs(now), this.windowWaitMs(now)));
  }

  /**
   * A server said "not before `timeMs`" (Retry-After, or a spent quota). No token is granted before
   * then, and the bucket is empty at that moment, so requests resume at the steady rate (the first
   * one refill interval later, which also absorbs clock skew) rather than as a burst that would be
   * refused again. A shorter pause never cuts a longer one.
   */
  pauseUntil(timeMs: number): void {
    if (!Number.isFinite(timeMs)) throw new RangeError(`timeMs must be finite: ${timeMs}`);
    this.refill(this.clock());
    this.tokens = 0;
    this.refilledAt = Math.max(this.refilledAt, timeMs);
  }

  /**
   * Grants made before this bucket existed (by an engine that stopped or was killed): the window
   * still counts them, and the bucket starts empty if any lies within one refill of now, so a
   * restart neither bursts nor overruns the provider's window.
   */
  seedGrants(times: readonly number[]): void {
    if (!this.window) return;
    const now = this.clock();
    const recent = times.filter((time) => time > now - this.window!.ms && time <= now).sort((a, b) => a - b);
    this.grants.splice(
      0,
      this.grants.length,
      ...recent.slice(-this.window.requests).map((at) => ({ at, open: false })),
    );
    if (recent.length > 0) {
      const newest = recent[recent.length - 1] ?? now;
      this.tokens = Math.min(this.tokens, Math.max(0, (now - newest) * this.refillPerMs));
      this.refilledAt = Math.max(this.refilledAt, now);
    }
  }

  /**
   * Adopts what the provider's headers say, trusting them only where they are stricter than us:
   * a lower limit replaces ours (docs go stale), fewer remaining requests than our tokens drops our
   * tokens to it, and none remaining with a reset time pauses until the reset.
   */
  learn(info: RateLimitInfo): void {
    this.refill(this.clock());
    if (isCount(info.limit) && info.limit >= 1) this.adoptLowerLimit(info.limit);
    if (isCount(info.remaining) && info.remaining < this.tokens) this.tokens = info.remaining;
    if (info.remaining === 0 && info.resetAtMs !== undefined && Number.isFinite(info.resetAtMs)) {
      this.pauseUntil(info.resetAtMs);
    }
  }

  private refill(now: number): void {
    // A clock that steps back mints nothing: refilledAt only moves forward.
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.refillPerMs);
    this.refilledAt = now;
  }

  private bucketWaitMs(now: number): number {
    const pausedMs = Math.max(0, this.refilledAt - now);
    if (pausedMs === 0 && this.tokens >= 1 - TOKEN_EPSILON) return 0;
    // Aim a little past the tolerance so that, after waiting this long, rounding cannot leave us short.
    const missing = Math.max(0, 1 - TOKEN_EPSILON / 2 - this.tokens);
    return pausedMs + missing / this.refillPerMs;
  }

  private windowWaitMs(now: number): number {
    if (!this.window || this.grants.length < this.window.requests) return 0;
    let oldest = now;
    for (const grant of this.grants) if (!grant.open) oldest = Math.min(oldest, grant.at);
    // The provider counts arrivals, which come after our grants by the time a request takes to
    // leave (a connection, a TLS handshake): the window is held a little longer than it is wide.
    const span = this.window.ms + windowMargin(this.window.ms);
    const elapsed = now - oldest;
    return elapsed >= span ? 0 : span - elapsed;
  }

  private recordGrant(now: number, open: boolean): void {
    if (!this.window) return;
    this.grants.push({ at: now, open });
    if (this.grants.length <= this.window.requests) return;
    // The oldest answered grant leaves the log; an open one stays until its answer.
    const closed = this.grants.findIndex((grant) => !grant.open);
    this.grants.splice(closed < 0 ? 0 : closed, 1);
  }

  /** Only for limiters with a known window: a bare limit says nothing about a bucket we cannot map to one. */
  private adoptLowerLimit(limit: number): void {
    if (!this.window || limit >= this.window.requests) return;
    this.window = { requests: limit, ms: this.window.ms };
    this.capacity = burstCapacity(limit);
    this.refillPerMs = limit / this.window.ms;
    this.tokens = Math.min(this.tokens, this.capacity);
    if (this.grants.length > limit) this.grants.splice(0, this.grants.length - limit);
  }
}

function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0;
}

/** The first header of `names` that is present. */
function firstHeader(get: (name: string) => string | null, ...names: string[]): string | null {
  for (const name of names) {
    const value = get(name);
    if (value !== null) return value;
  }
  return null;
}

/** "60", or the draft IETF form "60, 60;w=60" whose first item is the count. */
function parseCount(value: string | null): number | undefined {
  if (value === null) return undefined;
  const first = (value.split(/[,;]/)[0] ?? '').trim();
  return /^\d+$/.test(first) ? Number(first) : undefined;
}

// Below this a reset is seconds from now (1e9 s is 31 years); above it, a Unix time (1e9 s is 2001).
const EPOCH_SECONDS_FROM = 1e9;
// Above this a Unix time can only be in ms (as seconds it would be the year 33658).
const EPOCH_MS_FROM = 1e12;

function parseResetAt(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  if (n < EPOCH_SECONDS_FROM) return now + n * 1000;
  return n < EPOCH_MS_FROM ? n * 1000 : n;
}

/**
 * Reads `X-RateLimit-Limit/Remaining/Reset` (and the unprefixed `RateLimit-*` of the IETF draft).
 * `get` looks a header up by lower-case name, as `Headers.get` does. Values we cannot read are left
 * out rather than guessed.
 */
export function parseRateLimitHeaders(get: (name: string) => string | null, now: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = parseCount(firstHeader(get, 'x-ratelimit-limit', 'ratelimit-limit'));
  const remaining = parseCount(firstHeader(get, 'x-ratelimit-remaining', 'ratelimit-remaining'));
  const resetAtMs = parseResetAt(firstHeader(get, 'x-ratelimit-reset', 'ratelimit-reset'), now);
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (resetAtMs !== undefined) info.resetAtMs = resetAtMs;
  return info;
}
