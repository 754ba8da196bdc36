import { describe, expect, it } from 'vitest';
import { JOB_STATES, type JobState } from '../../shared/jobs';
import { transition, type JobEvent } from '../../shared/job-model';
import {
  decideFailure,
  FAILURE_CLASSIFICATIONS,
  RUN_STAGES,
  type FailureCapabilities,
  type FailureClassification,
  type FailureDecision,
  type RunStage,
} from '../../main/engine/queue/decide-failure';

/** The held state a job is in during each stage of its run. */
const STATE_OF: Record<RunStage, JobState> = {
  prepare: 'preparing',
  submit: 'submitting',
  poll: 'remote',
  fetch: 'fetching',
};

/**
 * The expected decision, written out by hand per classification. A letter per case, so the whole
 * table reads at a glance:
 *   I ignore · F fail · R retry · A retry honouring Retry-After · W wait for the provider (hold)
 *   V review · C pause for credits · K pause for the key
 * A row is either one letter for every case, or a function of the case when the answer depends on it.
 */
type Letter = 'I' | 'F' | 'R' | 'A' | 'W' | 'V' | 'C' | 'K';
interface Case {
  stage: RunStage;
  capabilities: FailureCapabilities;
  sentSteps: number;
}
const mayHaveCreated = ({ capabilities, sentSteps }: Case): boolean => sentSteps > 0 && !capabilities.canResendSafely;
const EXPECTED: Record<FailureClassification, Letter | ((c: Case) => Letter)> = {
  aborted: 'I',
  request_canceled: 'I',
  // Review needs a job being submitted; after that, polling and fetching again are free.
  unreadable_paid_answer: (c) => (c.stage === 'submit' ? 'V' : 'R'),
  possibly_sent: (c) => (c.stage === 'submit' ? 'V' : 'R'),
  refused: 'F',
  // A refusal of something else while a paid request of the job may have been taken: a person decides.
  permanent: (c) => (c.stage === 'submit' && c.sentSteps > 0 && c.capabilities.paid ? 'V' : 'F'),
  machine_unavailable: 'R',
  unexpected: (c) => (c.stage === 'submit' && mayHaveCreated(c) ? 'V' : 'R'),
  unreachable: (c) => (c.capabilities.remote ? 'W' : 'R'),
  transient: 'A',
  ambiguous: (c) => (c.stage === 'submit' && mayHaveCreated(c) ? 'V' : 'R'),
  credits: 'C',
  auth: 'K',
};

function letterOf(decision: FailureDecision): Letter {
  switch (decision.action) {
    case 'ignore':
      return 'I';
    case 'fail':
      return 'F';
    case 'retry':
      return decision.honourRetryAfter ? 'A' : 'R';
    case 'wait_for_provider':
      return 'W';
    case 'review':
      return 'V';
    case 'pause_provider':
      return decision.reason === 'credits' ? 'C' : 'K';
  }
}

/** One sample of each event a decision can name, to ask the state machine whether it is legal. */
function sampleEvent(type: NonNullable<FailureDecision['event']>): JobEvent {
  const error = { code: 'unavailable' as const, message: 'x' };
  switch (type) {
    case 'outcome_unknown':
      return { type, error };
    case 'permanent_error':
      return { type, error };
    case 'transient_error':
      return { type, error, nextAttemptAt: 1 };
    case 'hold':
      return { type, reason: 'x', nextAttemptAt: null };
  }
}

const booleans = [false, true] as const;
const CASES: Case[] = RUN_STAGES.flatMap((stage) =>
  booleans.flatMap((canResendSafely) =>
    booleans.flatMap((paid) =>
      booleans.flatMap((remote) =>
        [0, 1, 3].map((sentSteps) => ({ stage, capabilities: { canResendSafely, paid, remote }, sentSteps })),
      ),
    ),
  ),
);

describe('decideFailure: the queue failure table', () => {
  it('answers every classification × stage × capability × sent steps as the table says', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const classification of FAILURE_CLASSIFICATIONS) {
      for (const c of CASES) {
        const row = EXPECTED[classification];
        const expected = typeof row === 'string' ? row : row(c);
        const actual = letterOf(decideFailure(classification, c.stage, c.capabilities, c.sentSteps));
        if (actual !== expected) wrong.push(`${classification} ${JSON.stringify(c)}: ${actual}, expected ${expected}`);
        checked += 1;
      }
    }
    expect(wrong).toEqual([]);
    // 13 classifications × 4 stages × 8 capability sets × 3 counts of sent steps.
    expect(checked).toBe(FAILURE_CLASSIFICATIONS.length * 4 * 8 * 3);
    expect(FAILURE_CLASSIFICATIONS).toHaveLength(13);
  });

  it('only ever names an event the state machine takes from the stage the job was in', () => {
    const illegal: string[] = [];
    for (const classification of FAILURE_CLASSIFICATIONS) {
      for (const c of CASES) {
        const decision = decideFailure(classification, c.stage, c.capabilities, c.sentSteps);
        if (decision.event === null) continue;
        const held = {
          state: STATE_OF[c.stage],
          attempts: 1,
          maxAttempts: 8,
          nextAttemptAt: null,
          leaseOwner: 'w',
          leaseExpiresAt: 1,
          lastError: null,
          waitingFor: null,
        };
        const result = transition(held, sampleEvent(decision.event));
        if (!result.ok) illegal.push(`${classification} at ${c.stage}: ${decision.event}`);
      }
    }
    expect(illegal).toEqual([]);
  });

  it('marks a review of a paid operation as possibly charged, and never one of an unpaid operation', () => {
    for (const paid of booleans) {
      const decision = decideFailure('possibly_sent', 'submit', { canResendSafely: false, paid, remote: true }, 1);
      expect(decision).toEqual({
        action: 'review',
        event: 'outcome_unknown',
        reason: 'possibly_sent',
        possibleCharge: paid,
      });
    }
  });

  it('knows every stage and every state it names is a held state', () => {
    expect(RUN_STAGES).toEqual(['prepare', 'submit', 'poll', 'fetch']);
    for (const stage of RUN_STAGES) expect(JOB_STATES).toContain(STATE_OF[stage]);
  });
});
