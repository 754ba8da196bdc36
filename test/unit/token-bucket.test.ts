import { describe, expect, it } from 'vitest';
import { seeded } from '../support/seeded';
import { TokenBucket, burstCapacity, parseRateLimitHeaders } from '../../main/engine/queue/token-bucket';

function fakeClock(start = 0) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

/** How many tryTake() succeed right now, without moving the clock. */
function drain(bucket: TokenBucket, limit = 10_000): number {
  let n = 0;
  while (n < limit && bucket.tryTake()) n += 1;
  return n;
}

/**
 * The first grant that ends a window of `windowMs` holding more than `requests` grants, or null.
 * Windows are half-open, [t, t + windowMs), as a server counting "the last W ms" sees them: with
 * sorted grant times g, some window holds requests + 1 grants exactly when g[i + requests] - g[i] < W.
 */
function windowViolation(grants: number[], requests: number, windowMs: number): number | null {
  for (let i = 0; i + requests < grants.length; i += 1) {
    const first = grants[i] ?? 0;
    const last = grants[i + requests] ?? 0;
    if (last - first < windowMs) return last;
  }
  return null;
}

describe('windowViolation (the checker itself)', () => {
  it('finds a window with one grant too many, and accepts one exactly at the limit', () => {
    expect(windowViolation([0, 500, 999], 2, 1_000)).toBe(999);
    expect(windowViolation([0, 500, 1_000], 2, 1_000)).toBeNull();
  });
});

describe('TokenBucket basics', () => {
  it('starts full and refuses once empty', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerMs: 0.01, now: clock.now });
    expect(drain(bucket)).toBe(3);
    expect(bucket.tryTake()).toBe(false);
  });

  it('refills at its rate, one token per interval', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerMs: 0.01, now: clock.now });
    drain(bucket);
    clock.t = 99;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 100;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    clock.t = 300;
    expect(drain(bucket)).toBe(2);
  });

  it('never holds more than its capacity, however long it idles', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerMs: 0.01, now: clock.now });
    drain(bucket);
    clock.t = 10 * 60_000;
    expect(drain(bucket)).toBe(3);
  });

  it('says how long until the next token, and that wait is exact to the ms', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerMs: 0.01, now: clock.now });
    expect(bucket.msUntilAvailable()).toBe(0);
    drain(bucket);
    expect(bucket.msUntilAvailable()).toBe(100);
    clock.t = 40;
    expect(bucket.msUntilAvailable()).toBe(60);
    clock.t = 99;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 100;
    expect(bucket.msUntilAvailable()).toBe(0);
    expect(bucket.tryTake()).toBe(true);
  });

  it('mints nothing when the clock steps back', () => {
    const clock = fakeClock(1_000);
    const bucket = new TokenBucket({ capacity: 1, refillPerMs: 0.01, now: clock.now });
    expect(bucket.tryTake()).toBe(true);
    clock.t = 0;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 1_000;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 1_100;
    expect(bucket.tryTake()).toBe(true);
  });

  it('rejects settings that can only be bugs', () => {
    const now = () => 0;
    expect(() => new TokenBucket({ capacity: 0, refillPerMs: 1, now })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerMs: 0, now })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerMs: Number.NaN, now })).toThrow(RangeError);
    expect(() => TokenBucket.perWindow(0, 1_000, now)).toThrow(RangeError);
    expect(() => TokenBucket.perWindow(1.5, 1_000, now)).toThrow(RangeError);
    expect(() => TokenBucket.perWindow(10, 0, now)).toThrow(RangeError);
    expect(() => TokenBucket.perMinute(-1, now)).toThrow(RangeError);
  });
});

describe('perMinute / perWindow', () => {
  it('bursts a quarter of the window at most, at least one', () => {
    expect(burstCapacity(60)).toBe(15);
    expect(burstCapacity(15)).toBe(3);
    expect(burstCapacity(3)).toBe(1);
    expect(burstCapacity(1)).toBe(1);
  });

  it('60/min: 15 at once, then one a second', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    expect(drain(bucket)).toBe(15);
    expect(bucket.msUntilAvailable()).toBe(1_000);
    clock.t = 999;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 1_000;
    expect(drain(bucket)).toBe(1);
  });

  it('15/min (ProductAI): 3 at once, then one every 4 s', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(15, clock.now);
    expect(drain(bucket)).toBe(3);
    expect(bucket.msUntilAvailable()).toBe(4_000);
  });

  it('holds back a window-start burst that would exceed the limit, with a margin for arrival', () => {
    // 4 per second: 1 at once, then one every 250 ms; the 5th grant must wait a full second after the
    // 1st, and the 2% the window is held longer (a request arrives after its grant).
    const clock = fakeClock();
    const bucket = TokenBucket.perWindow(4, 1_000, clock.now);
    const grants: number[] = [];
    for (clock.t = 0; clock.t <= 3_000; clock.t += 1) if (bucket.tryTake()) grants.push(clock.t);
    expect(grants.slice(0, 6)).toEqual([0, 250, 500, 750, 1_020, 1_270]);
    expect(windowViolation(grants, 4, 1_000)).toBeNull();
  });

  it('holds a window from when each request was answered: a slow arrival cannot make a window overfull', () => {
    // Each request arrives (and is answered) 300 ms after its grant, far past the 2% margin: the
    // provider counts arrivals, and still sees at most 4 in any second.
    const clock = fakeClock();
    const bucket = TokenBucket.perWindow(4, 1_000, clock.now);
    const arrivals: number[] = [];
    const inFlight: number[] = [];
    for (clock.t = 0; clock.t <= 5_000; clock.t += 1) {
      while (inFlight[0] !== undefined && inFlight[0] + 300 <= clock.t) {
        const granted = inFlight.shift() ?? 0;
        arrivals.push(clock.t);
        bucket.settle(granted);
      }
      const granted = bucket.takeUntilSettled();
      if (granted !== null) inFlight.push(granted);
    }
    expect(arrivals.length).toBeGreaterThan(12);
    expect(windowViolation(arrivals, 4, 1_000)).toBeNull();
    // Without settling, the same delays overfill a window: the check above can fail.
    const unsettled = TokenBucket.perWindow(4, 1_000, clock.now);
    const late: number[] = [];
    for (clock.t = 10_000; clock.t <= 15_000; clock.t += 1) {
      if (unsettled.tryTake()) late.push(clock.t + (late.length === 0 ? 300 : 0));
    }
    expect(
      windowViolation(
        late.sort((x, y) => x - y),
        4,
        1_000,
      ),
    ).not.toBeNull();
  });

  it('counts a request not answered yet as happening now, however long it takes (1 per minute, 70 s in flight)', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(1, clock.now);
    const first = bucket.takeUntilSettled();
    expect(first).toBe(0);
    // Arrives at 5 s, answered at 70 s: nothing else may start before a minute after the answer.
    for (clock.t = 0; clock.t < 70_000; clock.t += 100) expect(bucket.takeUntilSettled()).toBeNull();
    bucket.settle(first ?? 0);
    clock.t = 70_000 + 60_000;
    expect(bucket.takeUntilSettled()).toBeNull();
    clock.t = 70_000 + 61_200;
    expect(bucket.takeUntilSettled()).toBe(clock.t);
  });

  // A bare bucket with the same burst and rate breaks the window limit, which is why the window
  // log exists; this also shows the checker below can fail.
  it('a bucket alone with that burst would break the limit', () => {
    const clock = fakeClock();
    const bare = new TokenBucket({ capacity: burstCapacity(60), refillPerMs: 60 / 60_000, now: clock.now });
    const grants: number[] = [];
    for (clock.t = 0; clock.t < 120_000; clock.t += 100) while (bare.tryTake()) grants.push(clock.t);
    expect(windowViolation(grants, 60, 60_000)).not.toBeNull();
  });

  const shapes: [number, number][] = [
    [60, 60_000],
    [15, 60_000],
    [1, 500],
    [7, 1_000],
    [100, 3_000],
    [3, 10_000],
  ];

  it.each(shapes)('perWindow(%i, %i) never grants more than R in any W, under random calls', (requests, windowMs) => {
    const random = seeded(requests * 1_000 + windowMs);
    const clock = fakeClock(1_000);
    const bucket = TokenBucket.perWindow(requests, windowMs, clock.now);
    const grants: number[] = [];
    const end = clock.t + 40 * windowMs;
    while (clock.t < end) {
      // Steps from none (bursts of calls at one instant) to longer than the window, fractional too.
      const r = random();
      clock.t += r < 0.3 ? 0 : r < 0.9 ? (random() * windowMs) / requests : random() * 2 * windowMs;
      const calls = 1 + Math.floor(random() * 4);
      for (let i = 0; i < calls; i += 1) if (bucket.tryTake()) grants.push(clock.t);
    }
    expect(grants.length).toBeGreaterThan(requests * 5);
    expect(windowViolation(grants, requests, windowMs)).toBeNull();
  });

  it.each(shapes)('perWindow(%i, %i) keeps the limit through pauses and learned headers', (requests, windowMs) => {
    const random = seeded(requests + windowMs);
    const clock = fakeClock();
    const bucket = TokenBucket.perWindow(requests, windowMs, clock.now);
    const grants: number[] = [];
    while (clock.t < 40 * windowMs) {
      clock.t += Math.floor((random() * windowMs) / requests);
      const r = random();
      if (r < 0.02) bucket.pauseUntil(clock.t + random() * windowMs);
      else if (r < 0.04) bucket.learn({ remaining: Math.floor(random() * requests * 2) });
      else if (r < 0.05) bucket.learn({ limit: requests * 2, remaining: requests * 2 });
      if (bucket.tryTake()) grants.push(clock.t);
    }
    expect(grants.length).toBeGreaterThan(requests * 5);
    expect(windowViolation(grants, requests, windowMs)).toBeNull();
  });

  it.each(shapes)('perWindow(%i, %i) called as fast as allowed grants ≥ 90%% of R per W', (requests, windowMs) => {
    const clock = fakeClock();
    const bucket = TokenBucket.perWindow(requests, windowMs, clock.now);
    const windows = 50;
    const grants: number[] = [];
    while (clock.t < windows * windowMs) {
      const wait = bucket.msUntilAvailable();
      clock.t += wait;
      if (clock.t >= windows * windowMs) break;
      // The wait it announced is enough: the take right after it succeeds.
      expect(bucket.tryTake()).toBe(true);
      grants.push(clock.t);
    }
    expect(grants.length).toBeGreaterThanOrEqual(0.9 * requests * windows);
    expect(windowViolation(grants, requests, windowMs)).toBeNull();
  });

  it('polled every millisecond, 7 per second still gets ≥ 90% of 7/s', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perWindow(7, 1_000, clock.now);
    const grants: number[] = [];
    for (clock.t = 0; clock.t < 100_000; clock.t += 1) if (bucket.tryTake()) grants.push(clock.t);
    expect(grants.length).toBeGreaterThanOrEqual(0.9 * 7 * 100);
    expect(windowViolation(grants, 7, 1_000)).toBeNull();
  });
});

describe('pauseUntil', () => {
  it('grants nothing before the time, even from a full bucket', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.pauseUntil(5_000);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilAvailable()).toBe(6_000);
    clock.t = 4_999;
    expect(bucket.tryTake()).toBe(false);
  });

  it('resumes empty at the steady rate, not with a burst', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.pauseUntil(5_000);
    clock.t = 5_000;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 6_000;
    expect(drain(bucket)).toBe(1);
    let granted = 1;
    for (clock.t = 6_001; clock.t <= 20_000; clock.t += 1) granted += drain(bucket);
    expect(granted).toBe(15);
  });

  it('is not cut short by a later, shorter pause', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.pauseUntil(10_000);
    bucket.pauseUntil(2_000);
    clock.t = 9_999;
    expect(bucket.tryTake()).toBe(false);
    clock.t = 11_000;
    expect(bucket.tryTake()).toBe(true);
  });

  it('empties the bucket even for a time already past', () => {
    const clock = fakeClock(10_000);
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.pauseUntil(0);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilAvailable()).toBe(1_000);
  });

  it('refuses a time that is not a number', () => {
    const bucket = TokenBucket.perMinute(60, () => 0);
    expect(() => bucket.pauseUntil(Number.NaN)).toThrow(RangeError);
  });
});

describe('learn', () => {
  it('drops its tokens to a lower remaining count', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ remaining: 2 });
    expect(drain(bucket)).toBe(2);
  });

  it('keeps its own tokens when the server has more left', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ remaining: 59 });
    expect(drain(bucket)).toBe(15);
  });

  it('pauses until the reset when nothing remains', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ remaining: 0, resetAtMs: 30_000 });
    clock.t = 29_999;
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilAvailable()).toBe(1_001);
    clock.t = 31_000;
    expect(drain(bucket)).toBe(1);
  });

  it('with nothing remaining and no reset, empties but refills as usual', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ remaining: 0 });
    expect(bucket.tryTake()).toBe(false);
    clock.t = 1_000;
    expect(bucket.tryTake()).toBe(true);
  });

  it('adopts a lower limit: smaller burst, slower rate, stricter window', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ limit: 20 });
    expect(drain(bucket)).toBe(5);
    expect(bucket.msUntilAvailable()).toBe(3_000);
    const grants = [0, 0, 0, 0, 0];
    for (clock.t = 1; clock.t < 300_000; clock.t += 1) if (bucket.tryTake()) grants.push(clock.t);
    expect(windowViolation(grants, 20, 60_000)).toBeNull();
    expect(grants.length).toBeGreaterThanOrEqual(0.9 * 20 * 5);
  });

  it('ignores a higher limit', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ limit: 120 });
    expect(drain(bucket)).toBe(15);
    expect(bucket.msUntilAvailable()).toBe(1_000);
  });

  it('ignores values that are not counts', () => {
    const clock = fakeClock();
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn({ limit: 0, remaining: -1 });
    bucket.learn({ limit: Number.NaN, remaining: 1.5 });
    bucket.learn({ remaining: 0.5, resetAtMs: Number.POSITIVE_INFINITY });
    expect(drain(bucket)).toBe(15);
  });

  it('ignores a limit on a bucket with no known window', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ capacity: 4, refillPerMs: 0.01, now: clock.now });
    bucket.learn({ limit: 1 });
    expect(drain(bucket)).toBe(4);
  });
});

describe('parseRateLimitHeaders', () => {
  const now = 1_700_000_000_000;
  const from = (headers: Record<string, string>) => {
    const h = new Headers(headers);
    return parseRateLimitHeaders((name) => h.get(name), now);
  };

  it('reads limit, remaining and a reset in seconds from now', () => {
    expect(from({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '12', 'X-RateLimit-Reset': '30' })).toEqual({
      limit: 60,
      remaining: 12,
      resetAtMs: now + 30_000,
    });
  });

  it('reads a reset given as a Unix time in seconds', () => {
    expect(from({ 'X-RateLimit-Reset': '1700000042' })).toEqual({ resetAtMs: 1_700_000_042_000 });
  });

  it('reads a reset given as a Unix time in ms', () => {
    expect(from({ 'X-RateLimit-Reset': '1700000042500' })).toEqual({ resetAtMs: 1_700_000_042_500 });
  });

  it('reads fractional seconds from now, and zero', () => {
    expect(from({ 'X-RateLimit-Reset': '1.5' })).toEqual({ resetAtMs: now + 1_500 });
    expect(from({ 'X-RateLimit-Reset': '0' })).toEqual({ resetAtMs: now });
  });

  it('reads the IETF draft names and list form, preferring the X- names', () => {
    expect(from({ 'RateLimit-Limit': '100, 100;w=60', 'RateLimit-Remaining': '7', 'RateLimit-Reset': '5' })).toEqual({
      limit: 100,
      remaining: 7,
      resetAtMs: now + 5_000,
    });
    expect(from({ 'X-RateLimit-Limit': '10', 'RateLimit-Limit': '100' })).toEqual({ limit: 10 });
  });

  it('returns nothing for absent headers', () => {
    expect(from({})).toEqual({});
  });

  it('leaves out values it cannot read', () => {
    expect(
      from({ 'X-RateLimit-Limit': 'lots', 'X-RateLimit-Remaining': '-3', 'X-RateLimit-Reset': 'Wed, 21 Oct 2015' }),
    ).toEqual({});
    expect(from({ 'X-RateLimit-Limit': '1.5', 'X-RateLimit-Remaining': '', 'X-RateLimit-Reset': '1e3' })).toEqual({});
  });

  it('feeds learn(): a spent quota pauses the bucket until the reset', () => {
    const clock = fakeClock(now);
    const bucket = TokenBucket.perMinute(60, clock.now);
    bucket.learn(from({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '20' }));
    clock.t = now + 19_999;
    expect(bucket.tryTake()).toBe(false);
    clock.t = now + 21_000;
    expect(bucket.tryTake()).toBe(true);
  });
});
