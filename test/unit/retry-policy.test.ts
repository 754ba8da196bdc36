import { describe, expect, it } from 'vitest';
import { seeded } from '../support/seeded';
import {
  CLASSIFICATION_TABLE,
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_DELAY_MS,
  backoffCeilingMs,
  backoffDelayMs,
  classifyFailure,
  errorCodeForClass,
  hasAttemptsLeft,
  nextAttemptDelayMs,
  parseHttpDate,
  parseRetryAfter,
  type Classification,
  type RequestFailure,
  type RetryPolicy,
} from '../../main/engine/queue/retry-policy';

const http = (status: number, providerCode?: string): RequestFailure =>
  providerCode === undefined ? { kind: 'http', status } : { kind: 'http', status, providerCode };

describe('backoffDelayMs', () => {
  const policy: RetryPolicy = { baseMs: 1_000, capMs: 60_000, maxAttempts: 8 };

  it('is base·2^attempt at the top of the jitter range, until the cap', () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, policy, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('scales the window by the random source (full jitter)', () => {
    expect(backoffDelayMs(0, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(1_000);
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(8_000);
    expect(backoffDelayMs(20, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(150_000);
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.25)).toBe(4_000);
    expect(backoffDelayMs(5, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });

  it('asks the random source exactly once per delay', () => {
    let calls = 0;
    backoffDelayMs(2, policy, () => {
      calls += 1;
      return 0.3;
    });
    expect(calls).toBe(1);
  });

  it('stays within 0 ≤ delay ≤ min(cap, base·2^n) for any random value', () => {
    const random = seeded(42);
    for (let attempt = 0; attempt < 64; attempt += 1) {
      for (let i = 0; i < 50; i += 1) {
        const delay = backoffDelayMs(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(policy.capMs);
        expect(delay).toBeLessThanOrEqual(policy.baseMs * 2 ** attempt);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('does not overflow for huge attempt counts', () => {
    for (const attempt of [1_023, 1_024, 1_025, 5_000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelayMs(attempt, policy, () => 1)).toBe(policy.capMs);
      expect(backoffDelayMs(attempt, policy, () => 0.5)).toBe(policy.capMs / 2);
    }
    // A tiny base needs many doublings; a huge one is capped from the start.
    expect(backoffCeilingMs(2_000, { baseMs: 1e-300, capMs: 1_000, maxAttempts: 1 })).toBe(1_000);
    expect(backoffCeilingMs(0, { baseMs: 5_000, capMs: 1_000, maxAttempts: 1 })).toBe(1_000);
  });

  it('gives 0 for a zero base, even at attempts where 2^n is Infinity', () => {
    expect(backoffDelayMs(2_000, { baseMs: 0, capMs: 1_000, maxAttempts: 1 }, () => 1)).toBe(0);
  });

  it('rejects attempts and random values that can only be bugs', () => {
    expect(() => backoffDelayMs(-1, policy, () => 0.5)).toThrow(RangeError);
    expect(() => backoffDelayMs(1.5, policy, () => 0.5)).toThrow(RangeError);
    expect(() => backoffDelayMs(Number.NaN, policy, () => 0.5)).toThrow(RangeError);
    expect(() => backoffDelayMs(1, policy, () => 1.5)).toThrow(RangeError);
    expect(() => backoffDelayMs(1, policy, () => Number.NaN)).toThrow(RangeError);
    expect(() => backoffDelayMs(1, { baseMs: -1, capMs: 10, maxAttempts: 1 }, () => 0.5)).toThrow(RangeError);
  });
});

describe('hasAttemptsLeft', () => {
  it('allows attempts until maxAttempts have been made', () => {
    expect(hasAttemptsLeft(0, DEFAULT_RETRY_POLICY)).toBe(true);
    expect(hasAttemptsLeft(7, DEFAULT_RETRY_POLICY)).toBe(true);
    expect(hasAttemptsLeft(8, DEFAULT_RETRY_POLICY)).toBe(false);
    expect(hasAttemptsLeft(9, DEFAULT_RETRY_POLICY)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 0); // one minute before the RFC's example date

  it('reads delta-seconds, surrounding spaces allowed', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an IMF-fixdate in the future as the time until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:01 GMT', now)).toBe(1_000);
  });

  it('gives 0 for a date now or in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Tue, 20 Oct 2015 07:28:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).toBe(0);
  });

  it('accepts the obsolete rfc850 and asctime forms (RFC 9110 §5.6.7)', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toBe(60_000);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', now)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });

  it('reads a two-digit rfc850 year more than 50 years ahead as the past century', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Monday, 06-Nov-60 08:49:37 GMT', now)).toBe(Date.UTC(2060, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Thursday, 06-Nov-66 08:49:37 GMT', now)).toBe(Date.UTC(1966, 10, 6, 8, 49, 37));
  });

  it('caps the wait at one hour', () => {
    expect(parseRetryAfter('3600', now)).toBe(3_600_000);
    expect(parseRetryAfter('7200', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(parseRetryAfter('99999999999999999999999999', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(parseRetryAfter('Wed, 21 Oct 2015 10:00:00 GMT', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(MAX_RETRY_DELAY_MS).toBe(3_600_000);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['negative', '-1'],
    ['fractional seconds', '1.5'],
    ['signed', '+3'],
    ['with a unit', '3s'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['Infinity', 'Infinity'],
    ['two numbers', '1 2'],
    ['a word', 'soon'],
    ['a loose date Date.parse accepts', '21 Oct 2015 07:28'],
    ['a bare negative year Date.parse accepts', '-2015'],
    ['an ISO date', '2015-10-21T07:28:00Z'],
    ['no GMT', 'Wed, 21 Oct 2015 07:28:00'],
    ['another zone', 'Wed, 21 Oct 2015 07:28:00 PST'],
    ['day 32', 'Wed, 32 Oct 2015 07:28:00 GMT'],
    ['Feb 30', 'Mon, 30 Feb 2015 07:28:00 GMT'],
    ['hour 25', 'Wed, 21 Oct 2015 25:28:00 GMT'],
    ['minute 61', 'Wed, 21 Oct 2015 07:61:00 GMT'],
    ['unknown month', 'Wed, 21 Foo 2015 07:28:00 GMT'],
    ['one-digit day', 'Wed, 1 Oct 2015 07:28:00 GMT'],
    ['trailing junk', 'Wed, 21 Oct 2015 07:28:00 GMT garbage'],
  ])('rejects %s', (_name, value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});

describe('nextAttemptDelayMs', () => {
  const policy: RetryPolicy = { baseMs: 2_000, capMs: 300_000, maxAttempts: 8 };

  it('is the backoff when the server asked for nothing', () => {
    expect(nextAttemptDelayMs(3, policy, null, () => 0.5)).toBe(8_000);
  });

  it('waits at least what Retry-After asked for, even when the jitter drew 0', () => {
    expect(nextAttemptDelayMs(0, policy, 3_000, () => 0)).toBe(3_000);
    expect(nextAttemptDelayMs(0, policy, 3_000, () => 1)).toBe(3_000);
  });

  it('keeps a backoff longer than Retry-After', () => {
    expect(nextAttemptDelayMs(5, policy, 3_000, () => 1)).toBe(64_000);
  });

  it('is never below Retry-After nor above an hour, whatever the draw', () => {
    const random = seeded(7);
    for (let i = 0; i < 2_000; i += 1) {
      const attempt = Math.floor(random() * 30);
      const retryAfter = Math.floor(random() * 2 * MAX_RETRY_DELAY_MS);
      const delay = nextAttemptDelayMs(attempt, policy, retryAfter, random);
      expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter, MAX_RETRY_DELAY_MS));
      expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
    }
  });

  it('caps at an hour even when the policy or the server asks for more', () => {
    const slowPolicy: RetryPolicy = { baseMs: 60_000, capMs: 10 * MAX_RETRY_DELAY_MS, maxAttempts: 3 };
    expect(nextAttemptDelayMs(20, slowPolicy, null, () => 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(nextAttemptDelayMs(0, policy, 5 * MAX_RETRY_DELAY_MS, () => 0)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('takes a parsed Retry-After end to end', () => {
    const now = 1_000_000;
    expect(nextAttemptDelayMs(0, policy, parseRetryAfter('3', now), () => 0)).toBeGreaterThanOrEqual(3_000);
  });
});

// Examples per table row, written by hand rather than derived from the table, so each row is
// checked against a failure it is meant to catch and shown not to be shadowed by an earlier row.
const ROW_EXAMPLES: Record<string, RequestFailure[]> = {
  'aborted by the user': [{ kind: 'aborted' }],
  'refused by our rules before sending': [{ kind: 'refused' }],
  'provider code insufficient_credits (any status)': [
    http(400, 'insufficient_credits'),
    http(403, 'insufficient_credits'),
    http(429, 'insufficient_credits'),
    http(500, 'insufficient_credits'),
  ],
  'provider code insufficient_scope (any status)': [http(403, 'insufficient_scope'), http(401, 'insufficient_scope')],
  'provider code request_in_progress (any status)': [
    http(409, 'request_in_progress'),
    http(425, 'request_in_progress'),
  ],
  'HTTP 402': [http(402), http(402, 'payment_required')],
  'HTTP 401 or 403': [http(401), http(403), http(403, 'forbidden')],
  'network error before send': [
    { kind: 'network', phase: 'before_send', code: 'ECONNREFUSED' },
    { kind: 'network', phase: 'before_send', code: 'ENOTFOUND' },
    { kind: 'network', phase: 'before_send' },
  ],
  'timeout before send': [{ kind: 'timeout', phase: 'before_send' }],
  'network error after send (paid)': [
    { kind: 'network', phase: 'after_send', code: 'ECONNRESET' },
    { kind: 'network', phase: 'after_send' },
  ],
  'network error after send (unpaid)': [{ kind: 'network', phase: 'after_send', code: 'ECONNRESET' }],
  'timeout after send (paid)': [{ kind: 'timeout', phase: 'after_send' }],
  'timeout after send (unpaid)': [{ kind: 'timeout', phase: 'after_send' }],
  'unreadable 2xx (paid)': [{ kind: 'invalid_response' }],
  'unreadable 2xx (unpaid)': [{ kind: 'invalid_response' }],
  'HTTP 429': [http(429), http(429, 'rate_limited')],
  'HTTP 425': [http(425)],
  'HTTP 503': [http(503)],
  'HTTP 408 (paid)': [http(408)],
  'HTTP 500, 502 or 504 (paid)': [http(500), http(502), http(504)],
  'other 5xx (paid)': [http(501), http(505), http(520), http(524), http(599)],
  'HTTP 408 (unpaid)': [http(408)],
  'HTTP 5xx (unpaid)': [http(500), http(501), http(502), http(504), http(524), http(599)],
  'other 4xx (400, 404, 405, 409, 413, 415, 422…)': [
    http(400),
    http(404),
    http(405),
    http(409),
    http(413),
    http(415),
    http(422),
    http(418),
    http(451),
    http(499),
    http(400, 'invalid_prompt'),
  ],
  'HTTP status outside 400–599': [http(200), http(302), http(100), http(600), http(0)],
};

function firstMatchingRow(failure: RequestFailure, paid: boolean): number {
  return CLASSIFICATION_TABLE.findIndex((row) => (row.paid === undefined || row.paid === paid) && row.match(failure));
}

describe('CLASSIFICATION_TABLE', () => {
  it('has rows with unique names, each with examples', () => {
    const names = CLASSIFICATION_TABLE.map((row) => row.when);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice().sort()).toEqual(Object.keys(ROW_EXAMPLES).sort());
  });

  it.each(CLASSIFICATION_TABLE.map((row, index) => ({ ...row, index })))(
    'row "$when" → $class',
    ({ when, paid, index, class: expected }) => {
      const examples = ROW_EXAMPLES[when] ?? [];
      expect(examples.length).toBeGreaterThan(0);
      const paidValues = paid === undefined ? [true, false] : [paid];
      for (const failure of examples) {
        for (const p of paidValues) {
          expect(firstMatchingRow(failure, p), `${JSON.stringify(failure)} paid=${p}`).toBe(index);
          expect(classifyFailure(failure, { paid: p })).toBe(expected);
        }
      }
    },
  );

  it('classifies every status and kind, paid or not, without a hole', () => {
    const kinds: RequestFailure[] = [
      { kind: 'aborted' },
      { kind: 'invalid_response' },
      { kind: 'network', phase: 'before_send' },
      { kind: 'network', phase: 'after_send' },
      { kind: 'timeout', phase: 'before_send' },
      { kind: 'timeout', phase: 'after_send' },
    ];
    for (let status = 0; status < 1_000; status += 1) kinds.push(http(status));
    for (const failure of kinds) {
      for (const paid of [true, false]) expect(() => classifyFailure(failure, { paid })).not.toThrow();
    }
  });
});

// The rules of DESIGN.md and the brief, case by case, independent of how the table is written.
const CASES: [string, RequestFailure, boolean, Classification][] = [
  ['refused before send, paid', { kind: 'network', phase: 'before_send', code: 'ECONNREFUSED' }, true, 'transient'],
  ['DNS failure before send, unpaid', { kind: 'network', phase: 'before_send', code: 'ENOTFOUND' }, false, 'transient'],
  ['connect timeout, paid', { kind: 'timeout', phase: 'before_send' }, true, 'transient'],
  ['connect timeout, unpaid', { kind: 'timeout', phase: 'before_send' }, false, 'transient'],
  ['reset after send, paid', { kind: 'network', phase: 'after_send', code: 'ECONNRESET' }, true, 'ambiguous'],
  ['reset after send, poll', { kind: 'network', phase: 'after_send', code: 'ECONNRESET' }, false, 'transient'],
  ['answer timeout, paid', { kind: 'timeout', phase: 'after_send' }, true, 'ambiguous'],
  ['answer timeout, download', { kind: 'timeout', phase: 'after_send' }, false, 'transient'],
  ['unreadable 200, paid', { kind: 'invalid_response' }, true, 'ambiguous'],
  ['unreadable 200, poll', { kind: 'invalid_response' }, false, 'transient'],
  ['user cancel, paid', { kind: 'aborted' }, true, 'canceled'],
  ['user cancel, unpaid', { kind: 'aborted' }, false, 'canceled'],
  ['429, paid', http(429), true, 'transient'],
  ['429, unpaid', http(429), false, 'transient'],
  ['503, paid', http(503), true, 'transient'],
  ['503, unpaid', http(503), false, 'transient'],
  ['425, paid', http(425), true, 'transient'],
  ['408, paid', http(408), true, 'ambiguous'],
  ['408, unpaid', http(408), false, 'transient'],
  ['500, paid', http(500), true, 'ambiguous'],
  ['500, unpaid', http(500), false, 'transient'],
  ['502, paid', http(502), true, 'ambiguous'],
  ['502, unpaid', http(502), false, 'transient'],
  ['504, paid', http(504), true, 'ambiguous'],
  ['504, unpaid', http(504), false, 'transient'],
  ['507, unpaid', http(507), false, 'transient'],
  ['524, paid', http(524), true, 'ambiguous'],
  ['401, paid', http(401), true, 'auth'],
  ['401, unpaid', http(401), false, 'auth'],
  ['403, unpaid', http(403), false, 'auth'],
  ['402, paid', http(402), true, 'credits'],
  ['402, unpaid', http(402), false, 'credits'],
  ['400 insufficient_credits', http(400, 'insufficient_credits'), true, 'credits'],
  ['403 insufficient_credits', http(403, 'insufficient_credits'), false, 'credits'],
  ['429 insufficient_credits', http(429, 'insufficient_credits'), true, 'credits'],
  ['400', http(400), true, 'permanent'],
  ['404', http(404), false, 'permanent'],
  ['405', http(405), true, 'permanent'],
  ['409', http(409), true, 'permanent'],
  ['413', http(413), true, 'permanent'],
  ['415', http(415), false, 'permanent'],
  ['422', http(422), true, 'permanent'],
  ['451', http(451), false, 'permanent'],
  ['400 with another provider code', http(400, 'credits_low_warning'), true, 'permanent'],
];

describe('classifyFailure', () => {
  it.each(CASES)('%s → %s', (_name, failure, paid, expected) => {
    expect(classifyFailure(failure, { paid })).toBe(expected);
  });
});

describe('errorCodeForClass', () => {
  it.each([
    ['transient', undefined, 'unavailable'],
    ['transient', http(503), 'unavailable'],
    ['transient', { kind: 'network', phase: 'before_send' }, 'unavailable'],
    ['transient', http(429), 'rate_limited'],
    ['ambiguous', http(500), 'unavailable'],
    ['permanent', http(422), 'invalid_input'],
    ['credits', http(402), 'insufficient_credits'],
    ['auth', http(401), 'provider_auth'],
    ['canceled', { kind: 'aborted' }, 'canceled'],
  ] as [Classification, RequestFailure | undefined, string][])('%s (%j) → %s', (c, failure, expected) => {
    expect(errorCodeForClass(c, failure)).toBe(expected);
  });

  it('turns a classified 429 into rate_limited end to end', () => {
    const failure = http(429);
    expect(errorCodeForClass(classifyFailure(failure, { paid: true }), failure)).toBe('rate_limited');
  });
});
