import type { Job, QueueStats } from '../../shared/jobs';

/**
 * A job and queue stats as the API answers them, every field at a plain default, each call a fresh
 * object: a test names only the fields it is about.
 */
export function jobFixture(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-0001',
    shootId: 's1',
    recipeId: null,
    provider: 'aixpose',
    operation: 'enhance',
    inputs: {},
    params: {},
    state: 'queued',
    attempts: 0,
    maxAttempts: 5,
    nextAttemptAt: null,
    remoteId: null,
    costEstimate: null,
    costCharged: null,
    lastError: null,
    priority: 0,
    waitingFor: null,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    ...overrides,
  };
}

export function queueStatsFixture(overrides: Partial<QueueStats> = {}): QueueStats {
  return {
    byState: {},
    byProvider: {},
    paused: { global: false, providers: [], shoots: [], providerReasons: {} },
    etaMs: null,
    unreachable: [],
    ...overrides,
  };
}
