import { ACTION_EVENTS, transition, type JobEvent } from '../../shared/job-model';
import { describe, expect, it, vi } from 'vitest';
import { JOB_STATES, NEEDS_REVIEW_MESSAGE, WAITING_FOR, type Job, type JobState } from '../../shared/jobs';
// tsconfig.node.json lists the renderer files tests may import one by one; until it lists this one,
// tsc reports TS6307 ("not listed within the file list") here. Types still flow through the import.
import * as model from '../../renderer/src/views/queue/queue-model';
import * as status from '../../renderer/src/views/queue/queue-status';
import { jobFixture, queueStatsFixture } from '../support/queue-fixtures';

const NAMES: Record<string, string> = { aixpose: 'AIXpose', productai: 'ProductAI', local: 'Local' };
const providerName = (id: string): string => NAMES[id] ?? id;
const SHOOTS: Record<string, string> = { s1: 'Lake house', s2: 'Attic loft' };
const shootName = (id: string): string => SHOOTS[id] ?? id;

let counter = 0;
function job(overrides: Partial<Job> = {}): Job {
  counter += 1;
  return jobFixture({
    id: `job-${String(counter).padStart(4, '0')}`,
    inputs: { source: { kind: 'asset', assetId: `asset-${counter}-0123456789`, version: 1 } },
    createdAt: 1_000 + counter,
    updatedAt: 1_000 + counter,
    ...overrides,
  });
}

const stats = queueStatsFixture;

describe('stateWords', () => {
  const words = (state: JobState, waitingFor: Job['waitingFor'] = null, provider = 'aixpose'): string =>
    model.stateWords({ state, waitingFor, provider }, providerName);

  it('says what each state means in the words the brief lists', () => {
    expect(words('queued')).toBe('Waiting');
    expect(words('preparing')).toBe('Sending');
    expect(words('submitting')).toBe('Sending');
    expect(words('fetching')).toBe('Downloading');
    expect(words('done')).toBe('Done');
    expect(words('failed')).toBe('Failed');
    expect(words('canceled')).toBe('Canceled');
    expect(words('needs_review')).toBe('Needs review');
  });

  it('says Processing for work done on this machine, which is never sent anywhere', () => {
    const local = (state: JobState): string =>
      model.stateWords({ state, waitingFor: null, provider: 'local' }, providerName, true);
    expect(local('preparing')).toBe('Processing');
    expect(local('submitting')).toBe('Processing');
    expect(local('remote')).toBe('Processing');
    expect(local('fetching')).toBe('Downloading');
    expect(local('queued')).toBe('Waiting');
  });

  it('names the provider a remote job is at, by its name, falling back to the id', () => {
    expect(words('remote', null, 'aixpose')).toBe('At AIXpose');
    expect(words('remote', null, 'productai')).toBe('At ProductAI');
    expect(words('remote', null, 'newcomer')).toBe('At newcomer');
  });

  it('says what an awaiting_input job waits for', () => {
    expect(words('awaiting_input', 'approval')).toBe('Waiting for approval');
    expect(words('awaiting_input', 'mask')).toBe('Waiting for a mask');
    expect(words('awaiting_input', 'garment')).toBe('Waiting for a garment photo');
    expect(words('awaiting_input', null)).toBe('Waiting for input');
  });

  it('has words for every state, none empty', () => {
    for (const state of JOB_STATES) expect(words(state).length).toBeGreaterThan(0);
  });
});

describe('nameLookup', () => {
  it('maps ids to names and falls back to the id', () => {
    const name = model.nameLookup([
      { id: 'aixpose', name: 'AIXpose' },
      { id: 'aurax', name: 'AuraX' },
    ]);
    expect(name('aurax')).toBe('AuraX');
    expect(name('productai')).toBe('productai');
  });
});

describe('allowedActions', () => {
  const actions = (state: JobState, extra: Partial<Job> = {}): model.JobAction[] =>
    model.allowedActions({ state, waitingFor: null, shootId: 's1', ...extra });

  it('lets every non-terminal job be canceled, except needs_review which is discarded instead', () => {
    for (const state of ['awaiting_input', 'queued', 'preparing', 'submitting', 'remote', 'fetching'] as const) {
      expect(actions(state)).toContain('cancel');
    }
    expect(actions('needs_review')).not.toContain('cancel');
  });

  it('offers Resend and Discard (the two resolveReview actions) only for needs_review', () => {
    expect(actions('needs_review')).toEqual(['resend', 'discard']);
    for (const state of JOB_STATES.filter((s) => s !== 'needs_review')) {
      expect(actions(state)).not.toContain('resend');
      expect(actions(state)).not.toContain('discard');
    }
  });

  it('offers Retry only for failed and canceled jobs', () => {
    expect(actions('failed')).toEqual(['retry']);
    expect(actions('canceled')).toEqual(['retry']);
    for (const state of JOB_STATES.filter((s) => s !== 'failed' && s !== 'canceled')) {
      expect(actions(state)).not.toContain('retry');
    }
  });

  it('offers no action the shared transition table refuses, in any state', () => {
    const probe = {
      attempts: 0,
      maxAttempts: 3,
      nextAttemptAt: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
    };
    const offeredEvents: string[] = [];
    for (const state of JOB_STATES) {
      for (const waitingFor of [null, ...WAITING_FOR]) {
        for (const action of actions(state, { waitingFor })) {
          const type = ACTION_EVENTS[action];
          if (!type) continue; // approval and reordering act on the queue, not through the job's table
          const event = (type === 'resend' ? { type, leaseOwner: 'w', leaseExpiresAt: 1 } : { type }) as JobEvent;
          expect(transition({ ...probe, state, waitingFor }, event).ok, `${action} from ${state}`).toBe(true);
          offeredEvents.push(`${state}:${type}`);
        }
      }
    }
    // The check ran over real offers (cancel, retry, resend and discard all appear).
    expect(new Set(offeredEvents.map((entry) => entry.split(':')[1]))).toEqual(
      new Set(['cancel', 'retry', 'resend', 'discard']),
    );
  });

  it('offers nothing for a done job', () => {
    expect(actions('done')).toEqual([]);
  });

  it('offers approval only to a job of a shoot waiting for approval', () => {
    expect(actions('awaiting_input', { waitingFor: 'approval' })).toEqual(['approve', 'moveToTop', 'cancel']);
    expect(actions('awaiting_input', { waitingFor: 'mask' })).not.toContain('approve');
    expect(actions('awaiting_input', { waitingFor: 'approval', shootId: null })).not.toContain('approve');
    expect(actions('queued', { waitingFor: 'approval' })).not.toContain('approve');
  });

  it('offers Move to top only where the engine allows it (queued, awaiting_input)', () => {
    const movable = JOB_STATES.filter((state) => actions(state, { waitingFor: 'mask' }).includes('moveToTop'));
    expect(movable.sort()).toEqual(['awaiting_input', 'queued']);
  });

  it('has a label for every action', () => {
    for (const state of JOB_STATES) {
      for (const action of actions(state, { waitingFor: 'approval' })) {
        expect(model.ACTION_LABELS[action]).toMatch(/\S/);
      }
    }
    expect(model.ACTION_LABELS.cancel).toBe('Cancel');
    expect(model.ACTION_LABELS.retry).toBe('Retry');
    expect(model.ACTION_LABELS.resend).toBe('Resend');
    expect(model.ACTION_LABELS.discard).toBe('Discard');
  });
});

describe('errors, attempts, retries, costs, ids', () => {
  it('shows the engine message as is, or words for the code when it gave none', () => {
    expect(
      model.errorWords({ state: 'failed', lastError: { code: 'provider_auth', message: 'Key refused by AIXpose.' } }),
    ).toBe('Key refused by AIXpose.');
    expect(model.errorWords({ state: 'failed', lastError: { code: 'insufficient_credits', message: '  ' } })).toBe(
      'The provider account is out of credits.',
    );
    expect(
      model.errorWords({ state: 'needs_review', lastError: { code: 'unavailable', message: NEEDS_REVIEW_MESSAGE } }),
    ).toBe(NEEDS_REVIEW_MESSAGE);
  });

  it('shows no error for a job without one, or one that moved on (the old error no longer applies)', () => {
    expect(model.errorWords({ state: 'failed', lastError: null })).toBeNull();
    const offline = { code: 'offline', message: 'AIXpose could not be reached.' } as const;
    for (const state of ['done', 'canceled', 'preparing', 'submitting', 'remote', 'fetching'] as const) {
      expect(model.errorWords({ state, lastError: offline })).toBeNull();
    }
    for (const state of ['failed', 'queued', 'awaiting_input', 'needs_review'] as const) {
      expect(model.errorWords({ state, lastError: offline })).toBe('AIXpose could not be reached.');
    }
  });

  it('drops the review message once the job left needs_review (resent or discarded)', () => {
    const review = { code: 'unavailable', message: NEEDS_REVIEW_MESSAGE } as const;
    expect(model.errorWords({ state: 'canceled', lastError: review })).toBeNull();
    expect(model.errorWords({ state: 'queued', lastError: review })).toBeNull();
    expect(model.errorWords({ state: 'failed', lastError: review })).toBeNull();
  });

  it('counts attempts once there was one', () => {
    expect(model.attemptWords({ attempts: 0, maxAttempts: 5 })).toBeNull();
    expect(model.attemptWords({ attempts: 2, maxAttempts: 5 })).toBe('Attempt 2 of 5');
    expect(model.attemptWords({ attempts: 1, maxAttempts: 0 })).toBe('Attempt 1');
  });

  it('says when a held-back queued job tries again', () => {
    const now = 1_000_000;
    expect(model.retryWords({ state: 'queued', nextAttemptAt: now + 40_500 }, now)).toBe('Trying again in 41 s');
    expect(model.retryWords({ state: 'queued', nextAttemptAt: now + 200 }, now)).toBe('Trying again in 1 s');
    expect(model.retryWords({ state: 'queued', nextAttemptAt: now + 150_000 }, now)).toBe('Trying again in 3 min');
    expect(model.retryWords({ state: 'queued', nextAttemptAt: now - 1 }, now)).toBeNull();
    expect(model.retryWords({ state: 'queued', nextAttemptAt: null }, now)).toBeNull();
    expect(model.retryWords({ state: 'remote', nextAttemptAt: now + 10_000 }, now)).toBeNull();
  });

  it('words costs in credits', () => {
    expect(model.costWords(null)).toBeNull();
    expect(model.costWords(1)).toBe('1 credit');
    expect(model.costWords(2.5)).toBe('2.5 credits');
    expect(model.costWords(0.3333)).toBe('0.33 credits');
    expect(model.costWords(0)).toBe('0 credits');
    expect(model.costWords(0.25, { one: 'quarter credit', many: 'quarter credits', fractionDigits: 2 })).toBe(
      '0.25 quarter credits',
    );
  });

  it('shortens ids and names a job’s photos', () => {
    expect(model.shortId('0123456789abcdef')).toBe('01234567');
    expect(model.shortId('abc')).toBe('abc');
    const photo = { kind: 'asset' as const, assetId: '0123456789abcdef', version: 2 };
    expect(model.inputWords({ inputs: { source: photo } })).toBe('01234567');
    expect(
      model.inputWords({ inputs: { source: { kind: 'variant', variantId: 'fedcba9876543210', assetId: null } } }),
    ).toBe('result fedcba98');
    expect(
      model.inputWords({ inputs: { source: photo, garment: { kind: 'asset', assetId: '77ab10cd99', version: 1 } } }),
    ).toBe('01234567 + garment 77ab10cd');
    expect(model.inputWords({ inputs: { variants: ['a', 'b', 'c'] } })).toBe('3 results');
    expect(model.inputWords({ inputs: {} })).toBeNull();
  });

  it('explains needs_review in terms of the two resolveReview actions', () => {
    expect(model.NEEDS_REVIEW_EXPLANATION).toBe(
      'The provider may have received this request before the connection dropped. Resending may charge again; discarding keeps nothing.',
    );
  });
});

describe('counts', () => {
  it('counts jobs per state', () => {
    const counts = model.countByState([job({ state: 'done' }), job({ state: 'done' }), job({ state: 'failed' })]);
    expect(counts).toEqual({ done: 2, failed: 1 });
  });

  it('lists what needs the user first, folds preparing into sending, and skips zeros', () => {
    const text = model.countsText({ done: 4, preparing: 1, submitting: 2, needs_review: 1, queued: 3, canceled: 0 });
    expect(text).toBe('1 needs review · 3 sending · 3 waiting · 4 done');
  });

  it('pluralises needs review and names the provider for remote jobs', () => {
    expect(model.countsText({ needs_review: 2 })).toBe('2 need review');
    expect(model.countsText({ remote: 5 }, 'AIXpose')).toBe('5 at AIXpose');
    expect(model.countsText({ remote: 5 })).toBe('5 at the provider');
    expect(model.countsText({})).toBe('');
  });
});

describe('groupJobs', () => {
  it('groups by shoot, then provider, with counts at both levels', () => {
    const jobs = [
      job({ shootId: 's1', provider: 'aixpose', state: 'done' }),
      job({ shootId: 's1', provider: 'productai', state: 'queued' }),
      job({ shootId: 's2', provider: 'aixpose', state: 'failed' }),
      job({ shootId: 's1', provider: 'aixpose', state: 'remote' }),
    ];
    const groups = model.groupJobs(jobs, shootName, providerName);
    expect(groups.map((group) => group.shootName)).toEqual(['Attic loft', 'Lake house']); // by name
    const lake = groups[1]!;
    expect(lake.shootId).toBe('s1');
    expect(lake.counts).toEqual({ done: 1, queued: 1, remote: 1 });
    expect(lake.providers.map((group) => group.providerName)).toEqual(['AIXpose', 'ProductAI']);
    expect(lake.providers[0]!.counts).toEqual({ done: 1, remote: 1 });
    expect(lake.providers[0]!.jobs.map((j) => j.state)).toEqual(['remote', 'done']);
    expect(new Set(groups.flatMap((g) => g.providers.map((p) => p.key))).size).toBe(3);
  });

  it('puts jobs without a shoot last, under "No shoot"', () => {
    const groups = model.groupJobs(
      [job({ shootId: null }), job({ shootId: 's2' }), job({ shootId: 's1' })],
      shootName,
      providerName,
    );
    expect(groups.map((group) => group.shootName)).toEqual(['Attic loft', 'Lake house', model.NO_SHOOT_NAME]);
    expect(groups[2]!.shootId).toBeNull();
  });

  it('orders jobs: attention first, then in flight, then waiting by priority and age, then history', () => {
    const old = job({ state: 'queued', createdAt: 10 });
    const young = job({ state: 'queued', createdAt: 20 });
    const urgent = job({ state: 'queued', createdAt: 30, priority: 5 });
    const done = job({ state: 'done', createdAt: 1 });
    const review = job({ state: 'needs_review', createdAt: 40 });
    const running = job({ state: 'fetching', createdAt: 50 });
    const [group] = model.groupJobs([old, young, urgent, done, review, running], shootName, providerName);
    expect(group!.providers[0]!.jobs.map((j) => j.id)).toEqual([
      review.id,
      running.id,
      urgent.id,
      old.id,
      young.id,
      done.id,
    ]);
  });

  it('adds up the jobs waiting for approval and their estimate per shoot', () => {
    const groups = model.groupJobs(
      [
        job({ state: 'awaiting_input', waitingFor: 'approval', costEstimate: 2 }),
        job({ state: 'awaiting_input', waitingFor: 'approval', costEstimate: 1.5, provider: 'productai' }),
        job({ state: 'awaiting_input', waitingFor: 'approval', costEstimate: null }),
        job({ state: 'awaiting_input', waitingFor: 'mask', costEstimate: 9 }),
        job({ state: 'queued', costEstimate: 9 }),
      ],
      shootName,
      providerName,
    );
    // Per provider: AIXpose credits and ProductAI tokens are never added together.
    expect(groups[0]!.awaitingApproval).toEqual({
      jobs: 3,
      byProvider: [
        { provider: 'aixpose', estimate: 2 },
        { provider: 'productai', estimate: 1.5 },
      ],
    });
    const units = model.unitLookup([{ id: 'productai', unit: { one: 'token', many: 'tokens', fractionDigits: 0 } }]);
    expect(model.amountsWords(groups[0]!.awaitingApproval.byProvider, units)).toBe('2 credits + 2 tokens');
  });

  it('does not reorder or change the input list', () => {
    const jobs = [job({ state: 'done' }), job({ state: 'failed' })];
    const before = jobs.map((j) => j.id);
    model.groupJobs(jobs, shootName, providerName);
    expect(jobs.map((j) => j.id)).toEqual(before);
  });

  it('returns no groups for no jobs', () => {
    expect(model.groupJobs([], shootName, providerName)).toEqual([]);
  });
});

describe('progress and ETA', () => {
  it('counts done out of everything but canceled jobs', () => {
    expect(status.progressCounts({ done: 3, queued: 5, failed: 2, canceled: 4 })).toEqual({ done: 3, total: 10 });
    expect(status.progressText({ done: 3, queued: 5, failed: 2, canceled: 4 })).toBe('3 of 10 done');
    expect(status.progressText({})).toBe('0 of 0 done');
  });

  it('words the time left', () => {
    expect(status.etaText(null)).toBeNull();
    expect(status.etaText(0)).toBeNull();
    expect(status.etaText(-5)).toBeNull();
    expect(status.etaText(20_000)).toBe('less than a minute left');
    expect(status.etaText(3 * 60_000)).toBe('about 3 min left');
    expect(status.etaText(3 * 60_000 + 25_000)).toBe('about 3 min left');
    expect(status.etaText(3 * 60_000 + 35_000)).toBe('about 4 min left');
    expect(status.etaText(59 * 60_000)).toBe('about 59 min left');
    expect(status.etaText(60 * 60_000)).toBe('about 1 h left');
    expect(status.etaText(83 * 60_000)).toBe('about 1 h 25 min left');
    expect(status.etaText(119 * 60_000)).toBe('about 2 h left');
    expect(status.etaText(14 * 3_600_000 + 20 * 60_000)).toBe('about 14 h left');
  });

  it('builds the header line, saying paused instead of an ETA while the queue is paused', () => {
    const base = stats({ byState: { done: 4, remote: 2, queued: 4 }, etaMs: 180_000 });
    expect(status.summaryText(base)).toBe('4 of 10 done · about 3 min left');
    expect(status.summaryText({ ...base, etaMs: null })).toBe('4 of 10 done');
    expect(status.summaryText({ ...base, paused: { ...base.paused, global: true } })).toBe('4 of 10 done · paused');
  });
});

describe('pauses and provider banners', () => {
  it('sees a provider as paused by the user or by the queue', () => {
    const s = stats({
      paused: { global: false, providers: ['aixpose'], shoots: ['s1'], providerReasons: { productai: 'out' } },
    });
    expect(status.isProviderPaused(s, 'aixpose')).toBe(true);
    expect(status.isProviderPaused(s, 'productai')).toBe(true);
    expect(status.isProviderPaused(s, 'local')).toBe(false);
    expect(status.isShootPaused(s, 's1')).toBe(true);
    expect(status.isShootPaused(s, 's2')).toBe(false);
    expect(status.isShootPaused(s, null)).toBe(false);
  });

  it('counts only jobs that will move on by themselves as waiting', () => {
    const s = stats({
      byProvider: {
        aixpose: {
          queued: 3,
          preparing: 1,
          submitting: 1,
          remote: 2,
          fetching: 1,
          done: 50,
          failed: 2,
          canceled: 1,
          needs_review: 1,
          awaiting_input: 4,
        },
      },
    });
    expect(status.waitingCount(s, 'aixpose')).toBe(8);
    expect(status.waitingCount(s, 'productai')).toBe(0);
  });

  it('words the banners exactly', () => {
    expect(status.unreachableText('AIXpose', 8)).toBe(
      'AIXpose unreachable — 8 jobs waiting; they resume by themselves',
    );
    expect(status.unreachableText('AIXpose', 0)).toBe(
      'AIXpose unreachable — 0 jobs waiting; they resume by themselves',
    );
    expect(status.unreachableText('AIXpose', 1)).toBe('AIXpose unreachable — 1 job waiting; it resumes by itself');
    expect(status.pausedText('ProductAI', 'out of credits')).toBe('ProductAI paused: out of credits');
  });

  it('lists unreachable providers (status) then paused ones (alert), by name', () => {
    const s = stats({
      byProvider: { productai: { queued: 2, remote: 1 }, aixpose: { fetching: 1 } },
      unreachable: ['productai', 'aixpose'],
      paused: {
        global: false,
        providers: ['local'],
        shoots: [],
        providerReasons: { productai: 'The account is out of credits.', aixpose: 'The API key was refused.' },
      },
    });
    expect(status.providerBanners(s, providerName)).toEqual([
      {
        kind: 'unreachable',
        provider: 'aixpose',
        text: 'AIXpose unreachable — 1 job waiting; it resumes by itself',
      },
      {
        kind: 'unreachable',
        provider: 'productai',
        text: 'ProductAI unreachable — 3 jobs waiting; they resume by themselves',
      },
      { kind: 'paused', provider: 'aixpose', text: 'AIXpose paused: The API key was refused.' },
      { kind: 'paused', provider: 'productai', text: 'ProductAI paused: The account is out of credits.' },
    ]);
  });

  it('shows no banner when every provider is reachable and nothing was paused by the queue', () => {
    const s = stats({ paused: { global: true, providers: ['aixpose'], shoots: ['s1'], providerReasons: {} } });
    expect(status.providerBanners(s, providerName)).toEqual([]);
  });
});

describe('mergeJob / mergeJobs', () => {
  it('replaces a listed job in place with a newer version', () => {
    const a = job();
    const b = job();
    const newer = { ...a, state: 'done' as const, updatedAt: a.updatedAt + 10 };
    const merged = status.mergeJob([a, b], newer);
    expect(merged).toEqual([newer, b]);
  });

  it('keeps the list when the event is older than what it holds (events and answers cross)', () => {
    const a = job({ updatedAt: 500 });
    const list = [a];
    const stale = { ...a, state: 'remote' as const, updatedAt: 400 };
    expect(status.mergeJob(list, stale)).toBe(list);
  });

  it('takes an update with the same timestamp (two changes within a millisecond)', () => {
    const a = job({ updatedAt: 500 });
    const same = { ...a, state: 'canceled' as const };
    expect(status.mergeJob([a], same)[0]!.state).toBe('canceled');
  });

  it('appends a job it has not seen, without changing the original list', () => {
    const a = job();
    const list = [a];
    const fresh = job();
    const merged = status.mergeJob(list, fresh);
    expect(merged).toEqual([a, fresh]);
    expect(list).toEqual([a]);
  });

  it('returns the same list when the very same object arrives again', () => {
    const a = job();
    const list = [a];
    expect(status.mergeJob(list, a)).toBe(list);
  });

  it('merges many: newest wins either way, unseen jobs appended, order kept', () => {
    const a = job({ updatedAt: 100 });
    const b = job({ updatedAt: 100 });
    const loaded = [a, b];
    const seen = [
      { ...b, state: 'done' as const, updatedAt: 200 },
      { ...a, state: 'queued' as const, updatedAt: 50 },
    ];
    const extra = job();
    const merged = status.mergeJobs(loaded, [...seen, extra]);
    expect(merged.map((j) => j.id)).toEqual([a.id, b.id, extra.id]);
    expect(merged[0]).toBe(a); // the older event did not win
    expect(merged[1]!.state).toBe('done');
    expect(loaded[1]).toBe(b);
  });
});

describe('loadAllJobs', () => {
  const pages = (sizes: number[]) => {
    const all = sizes.map((size, page) => Array.from({ length: size }, (_, index) => job({ id: `p${page}-${index}` })));
    const fetchPage = vi.fn((cursor: string | undefined, limit: number) => {
      const page = cursor === undefined ? 0 : Number(cursor.slice(1));
      const jobs = (all[page] ?? []).slice(0, limit);
      return Promise.resolve({ jobs, nextCursor: page + 1 < all.length ? `c${page + 1}` : null });
    });
    return fetchPage;
  };

  it('follows nextCursor to the end, asking for full pages', async () => {
    const fetchPage = pages([500, 500, 120]);
    const result = await status.loadAllJobs(fetchPage);
    expect(result.jobs).toHaveLength(1_120);
    expect(result.truncated).toBe(false);
    expect(fetchPage.mock.calls).toEqual([
      [undefined, 500],
      ['c1', 500],
      ['c2', 500],
    ]);
  });

  it('stops at 5,000 jobs and says more were left', async () => {
    const fetchPage = pages(Array.from({ length: 12 }, () => 500));
    const result = await status.loadAllJobs(fetchPage);
    expect(result.jobs).toHaveLength(5_000);
    expect(result.truncated).toBe(true);
    expect(fetchPage).toHaveBeenCalledTimes(10);
  });

  it('asks only for what is left under the cap', async () => {
    const fetchPage = pages([500, 500, 500]);
    const result = await status.loadAllJobs(fetchPage, 700);
    expect(result.jobs).toHaveLength(700);
    expect(result.truncated).toBe(true);
    expect(fetchPage.mock.calls.map((call) => call[1])).toEqual([500, 200]);
  });

  it('is not truncated when the list ends exactly at the cap', async () => {
    const result = await status.loadAllJobs(pages([500, 500]), 1_000);
    expect(result).toMatchObject({ truncated: false });
    expect(result.jobs).toHaveLength(1_000);
  });

  it('stops on a repeating cursor or an empty page instead of looping', async () => {
    const repeating = vi.fn(() => Promise.resolve({ jobs: [job()], nextCursor: 'same' }));
    const first = await status.loadAllJobs(repeating);
    expect(repeating).toHaveBeenCalledTimes(2);
    expect(first.jobs).toHaveLength(2);

    let n = 0;
    const empty = vi.fn(() => Promise.resolve({ jobs: [], nextCursor: `c${++n}` }));
    const second = await status.loadAllJobs(empty);
    expect(empty).toHaveBeenCalledTimes(1);
    expect(second).toEqual({ jobs: [], truncated: false });
  });

  it('lists a job once even if two pages both hold it', async () => {
    const twice = job();
    const fetchPage = vi.fn((cursor: string | undefined) =>
      Promise.resolve(
        cursor === undefined ? { jobs: [twice], nextCursor: 'next' } : { jobs: [twice, job()], nextCursor: null },
      ),
    );
    const result = await status.loadAllJobs(fetchPage);
    expect(result.jobs).toHaveLength(2);
  });

  it('passes a failing page on to the caller', async () => {
    const failing = vi.fn(() => Promise.reject(new Error('offline')));
    await expect(status.loadAllJobs(failing)).rejects.toThrow('offline');
  });
});
