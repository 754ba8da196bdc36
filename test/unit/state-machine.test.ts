import { describe, expect, it } from 'vitest';
import { JOB_STATES, type JobState } from '../../shared/jobs';
import { transition, type JobEvent, type JobEventType, type JobSnapshot } from '../../shared/job-model';
import { ACTIVE_STATES, TERMINAL_STATES, WAITING_STATES } from '../../shared/job-model';

const error = { code: 'unavailable' as const, message: 'Connection reset' };
const lease = { leaseOwner: 'worker-1', leaseExpiresAt: 5_000 };

/** One sample of each event. */
const EVENTS: Record<JobEventType, JobEvent> = {
  input_given: { type: 'input_given' },
  await_input: { type: 'await_input', waitingFor: 'mask' },
  dispatch: { type: 'dispatch', ...lease },
  prepared: { type: 'prepared' },
  accepted: { type: 'accepted' },
  remote_done: { type: 'remote_done' },
  fetched: { type: 'fetched' },
  transient_error: { type: 'transient_error', error, nextAttemptAt: 9_000 },
  hold: { type: 'hold', reason: 'offline', nextAttemptAt: 7_000 },
  outcome_unknown: { type: 'outcome_unknown', error },
  resend: { type: 'resend', ...lease },
  discard: { type: 'discard' },
  permanent_error: { type: 'permanent_error', error },
  cancel: { type: 'cancel' },
  retry: { type: 'retry' },
};

/**
 * DESIGN.md's diagram, written out by hand as the legal edges: event → from-state → to-state.
 * Every (state, event) pair not listed here must be refused.
 */
const LEGAL: Record<JobEventType, Partial<Record<JobState, JobState>>> = {
  input_given: { awaiting_input: 'queued' },
  await_input: { queued: 'awaiting_input' },
  dispatch: { queued: 'preparing' },
  prepared: { preparing: 'submitting' },
  accepted: { submitting: 'remote' },
  remote_done: { remote: 'fetching' },
  fetched: { fetching: 'done' },
  transient_error: { preparing: 'queued', submitting: 'queued', remote: 'queued', fetching: 'queued' },
  hold: { preparing: 'queued', submitting: 'queued', remote: 'queued', fetching: 'queued' },
  outcome_unknown: { submitting: 'needs_review' },
  resend: { needs_review: 'submitting' },
  discard: { needs_review: 'canceled' },
  permanent_error: {
    queued: 'failed',
    preparing: 'failed',
    submitting: 'failed',
    remote: 'failed',
    fetching: 'failed',
  },
  cancel: {
    awaiting_input: 'canceled',
    queued: 'canceled',
    preparing: 'canceled',
    submitting: 'canceled',
    remote: 'canceled',
    fetching: 'canceled',
    needs_review: 'canceled',
  },
  retry: { failed: 'queued', canceled: 'queued' },
};

function job(state: JobState, overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  const held = ['preparing', 'submitting', 'remote', 'fetching'].includes(state);
  return {
    state,
    attempts: 2,
    maxAttempts: 8,
    nextAttemptAt: null,
    leaseOwner: held ? 'worker-0' : null,
    leaseExpiresAt: held ? 1_000 : null,
    lastError: null,
    waitingFor: state === 'awaiting_input' ? 'approval' : null,
    ...overrides,
  };
}

const pairs = JOB_STATES.flatMap((state) =>
  (Object.keys(EVENTS) as JobEventType[]).map((eventType) => ({ state, eventType, to: LEGAL[eventType][state] })),
);

describe('the job state machine', () => {
  it('covers every state and every event, as the design lists them', () => {
    // Written out here, not taken from the lists under test: a state or event added without a
    // decision about its edges fails this test.
    expect([...JOB_STATES].sort()).toEqual([
      'awaiting_input',
      'canceled',
      'done',
      'failed',
      'fetching',
      'needs_review',
      'preparing',
      'queued',
      'remote',
      'submitting',
    ]);
    expect(Object.keys(EVENTS).sort()).toEqual(Object.keys(LEGAL).sort());
    expect(Object.keys(EVENTS)).toHaveLength(15);
    // Every state is reached by some edge, and every state but done is left by one.
    const targets = new Set(Object.values(LEGAL).flatMap((edges) => Object.values(edges)));
    const sources = new Set(Object.values(LEGAL).flatMap((edges) => Object.keys(edges)));
    for (const state of JOB_STATES) {
      if (state !== 'awaiting_input' && state !== 'queued')
        expect(targets.has(state), `${state} is reached`).toBe(true);
      if (state !== 'done') expect(sources.has(state), `${state} is left`).toBe(true);
    }
    expect(pairs).toHaveLength(150);
  });

  it('groups every state exactly once into waiting, active, review or terminal', () => {
    const grouped = [...WAITING_STATES, ...ACTIVE_STATES, 'needs_review', ...TERMINAL_STATES];
    expect([...grouped].sort()).toEqual([...JOB_STATES].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it.each(pairs.filter((pair) => pair.to !== undefined))('$state --$eventType--> $to', ({ state, eventType, to }) => {
    const result = transition(job(state), EVENTS[eventType]);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.job.state).toBe(to);
  });

  it.each(pairs.filter((pair) => pair.to === undefined))('refuses $eventType from $state', ({ state, eventType }) => {
    const result = transition(job(state), EVENTS[eventType]);
    expect(result).toEqual({ ok: false, reason: `${eventType} is not allowed from ${state}` });
  });
});

describe('what the edges carry', () => {
  it('takes a lease on dispatch and on resend, and drops it on every way out of a held state', () => {
    const dispatched = transition(job('queued'), EVENTS.dispatch);
    expect(dispatched.ok && dispatched.job).toMatchObject(lease);
    const resent = transition(job('needs_review'), EVENTS.resend);
    expect(resent.ok && resent.job).toMatchObject({ state: 'submitting', ...lease });
    for (const eventType of ['transient_error', 'hold', 'permanent_error', 'cancel'] as const) {
      const result = transition(job('remote'), EVENTS[eventType]);
      expect(result.ok && result.job, eventType).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
    }
    const fetched = transition(job('fetching'), EVENTS.fetched);
    expect(fetched.ok && fetched.job).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
  });

  it('spends an attempt on a transient error and schedules the next, until attempts run out', () => {
    const retried = transition(job('submitting', { attempts: 2 }), EVENTS.transient_error);
    expect(retried.ok && retried.job).toMatchObject({
      state: 'queued',
      attempts: 3,
      nextAttemptAt: 9_000,
      lastError: error,
    });
    const spent = transition(job('submitting', { attempts: 7, maxAttempts: 8 }), EVENTS.transient_error);
    expect(spent.ok && spent.job).toMatchObject({
      state: 'failed',
      attempts: 8,
      nextAttemptAt: null,
      lastError: error,
    });
  });

  it('holds without spending an attempt', () => {
    const held = transition(job('remote', { attempts: 3 }), EVENTS.hold);
    expect(held.ok && held.job).toMatchObject({ state: 'queued', attempts: 3, nextAttemptAt: 7_000 });
  });

  it('resets attempts and the last error on retry', () => {
    const retried = transition(job('failed', { attempts: 8, lastError: error }), EVENTS.retry);
    expect(retried.ok && retried.job).toMatchObject({ state: 'queued', attempts: 0, lastError: null });
  });

  it('records what an awaiting job waits for, and clears it when the input comes', () => {
    const waiting = transition(job('queued'), { type: 'await_input', waitingFor: 'garment' });
    expect(waiting.ok && waiting.job).toMatchObject({ state: 'awaiting_input', waitingFor: 'garment' });
    const given = transition(job('awaiting_input'), EVENTS.input_given);
    expect(given.ok && given.job.waitingFor).toBeNull();
  });

  it('keeps the error that sent a job to review', () => {
    const review = transition(job('submitting'), EVENTS.outcome_unknown);
    expect(review.ok && review.job).toMatchObject({ state: 'needs_review', lastError: error, leaseOwner: null });
  });

  it('does not change the job it was given', () => {
    const before = job('queued');
    const copy = structuredClone(before);
    transition(before, EVENTS.dispatch);
    expect(before).toEqual(copy);
  });
});
