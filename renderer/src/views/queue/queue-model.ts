import { isTerminal, MOVING_STATES, TERMINAL_STATES, userActions, type UserAction } from '../../../../shared/job-model';
import { type Job, type JobState, NEEDS_REVIEW_MESSAGE, type QueueStats } from '../../../../shared/jobs';

/**
 * The Queue view's logic, kept free of React and the bridge so it can be tested in plain Node:
 * words for states and errors, which buttons a job offers, grouping (shoot → provider), the
 * "N of M done · ETA" line, the provider banners' texts, merging live updates and paging a list.
 */

// ---------------------------------------------------------------------------------------------
// States

// The groups of states and the actions each allows are the engine's own (shared/job-model.ts).
export { isTerminal, MOVING_STATES, TERMINAL_STATES };

/** A provider's name for the user; the id when the provider list has not loaded (or lacks it). */
export type NameOf = (id: string) => string;

/** Builds a name lookup from `providers.list` (or any `{ id, name }` list), falling back to the id. */
export function nameLookup(entries: readonly { id: string; name: string }[]): NameOf {
  const names = new Map(entries.map((entry) => [entry.id, entry.name]));
  return (id) => names.get(id) ?? id;
}

/** What a job is doing, in the words the row shows. */
export function stateWords(job: Pick<Job, 'state' | 'waitingFor' | 'provider'>, providerName: NameOf): string {
  switch (job.state) {
    case 'awaiting_input':
      switch (job.waitingFor) {
        case 'approval':
          return 'Waiting for approval';
        case 'mask':
          return 'Waiting for a mask';
        case 'garment':
          return 'Waiting for a garment photo';
        case null:
          return 'Waiting for input';
        default:
          return assertNever(job.waitingFor);
      }
    case 'queued':
      return 'Waiting';
    case 'preparing':
    case 'submitting':
      return 'Sending';
    case 'remote':
      return `At ${providerName(job.provider)}`;
    case 'fetching':
      return 'Downloading';
    case 'done':
      return 'Done';
    case 'failed':
      return 'Failed';
    case 'canceled':
      return 'Canceled';
    case 'needs_review':
      return 'Needs review';
    default:
      return assertNever(job.state);
  }
}

/** Short words for a count of jobs in a state ("3 waiting", "1 needs review"), for group headers. */
function countWords(state: JobState, count: number, providerName: string | null): string {
  switch (state) {
    case 'awaiting_input':
      return `${count} waiting for input`;
    case 'queued':
      return `${count} waiting`;
    case 'preparing':
    case 'submitting':
      return `${count} sending`;
    case 'remote':
      return providerName ? `${count} at ${providerName}` : `${count} at the provider`;
    case 'fetching':
      return `${count} downloading`;
    case 'done':
      return `${count} done`;
    case 'failed':
      return `${count} failed`;
    case 'canceled':
      return `${count} canceled`;
    case 'needs_review':
      return count === 1 ? '1 needs review' : `${count} need review`;
    default:
      return assertNever(state);
  }
}

/** The order counts are listed in: what needs the user first, then work in flight, then the rest. */
const COUNT_ORDER: readonly JobState[] = [
  'needs_review',
  'awaiting_input',
  'failed',
  'fetching',
  'remote',
  'submitting',
  'preparing',
  'queued',
  'done',
  'canceled',
];

export type StateCounts = Partial<Record<JobState, number>>;

export function countByState(jobs: readonly Pick<Job, 'state'>[]): StateCounts {
  const counts: StateCounts = {};
  for (const job of jobs) counts[job.state] = (counts[job.state] ?? 0) + 1;
  return counts;
}

/**
 * "1 needs review · 2 sending · 4 done". preparing and submitting read the same to a user, so they
 * are added up. `providerName` names the provider for remote jobs when the group has only one.
 */
export function countsText(counts: StateCounts, providerName: string | null = null): string {
  const parts: string[] = [];
  for (const state of COUNT_ORDER) {
    if (state === 'preparing') continue; // folded into submitting
    const count = state === 'submitting' ? (counts.submitting ?? 0) + (counts.preparing ?? 0) : (counts[state] ?? 0);
    if (count > 0) parts.push(countWords(state, count, providerName));
  }
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Errors, attempts, retries, costs

/** Words for an error code, used when the engine gave no message of its own. */
const ERROR_CODE_WORDS: Record<NonNullable<Job['lastError']>['code'], string> = {
  invalid_input: 'The provider refused the request as invalid.',
  unknown_method: 'The engine did not recognise the request.',
  unauthorized: 'The engine refused the request.',
  not_found: 'Something this job needs no longer exists.',
  conflict: 'The job changed while it was being worked on.',
  provider_auth: 'The provider refused the API key.',
  insufficient_credits: 'The provider account is out of credits.',
  rate_limited: 'The provider asked Shootline to slow down.',
  offline: 'The provider could not be reached.',
  unsupported_format: 'The provider does not accept this photo’s format.',
  canceled: 'The job was canceled.',
  unavailable: 'The provider was unavailable.',
  provider_failed: 'The provider took the job and then failed it. Retry sends it again as a new, paid job.',
  internal: 'Something went wrong inside Shootline. The details are in the log.',
};

/**
 * The last error in words, where it still explains the job: why it failed, why it waits to try
 * again, why it needs review. A job that moved on (running again, done, canceled) keeps its last
 * error in the row, but showing it then would describe a problem that is over.
 */
export function errorWords(job: Pick<Job, 'state' | 'lastError'>): string | null {
  if (!job.lastError) return null;
  switch (job.state) {
    case 'failed':
    case 'queued':
    case 'awaiting_input':
    case 'needs_review':
      break;
    case 'preparing':
    case 'submitting':
    case 'remote':
    case 'fetching':
    case 'done':
    case 'canceled':
      return null;
    default:
      return assertNever(job.state);
  }
  const message = job.lastError.message.trim();
  // The review message asks for Resend or Discard: only true while the job is in needs_review.
  if (message === NEEDS_REVIEW_MESSAGE && job.state !== 'needs_review') return null;
  return message || ERROR_CODE_WORDS[job.lastError.code];
}

/** "Attempt 2 of 5", once a job has been tried at least once; null before. */
export function attemptWords(job: Pick<Job, 'attempts' | 'maxAttempts'>): string | null {
  if (job.attempts <= 0) return null;
  return job.maxAttempts > 0 ? `Attempt ${job.attempts} of ${job.maxAttempts}` : `Attempt ${job.attempts}`;
}

/** "Trying again in 2 min" for a queued job held back after an error; null otherwise. */
export function retryWords(job: Pick<Job, 'state' | 'nextAttemptAt'>, now: number): string | null {
  if (job.state !== 'queued' || job.nextAttemptAt === null) return null;
  const wait = job.nextAttemptAt - now;
  if (wait <= 0) return null;
  if (wait < 60_000) return `Trying again in ${Math.max(1, Math.ceil(wait / 1000))} s`;
  return `Trying again in ${durationWords(wait)}`;
}

export { amountsWords, costWords, unitLookup, type UnitOf } from './cost-words';

/** The first 8 characters of an id: enough to tell photos apart in a list. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/**
 * What a job works on, short: "3f9a01bc" (a photo), "result 3f9a01bc" (an earlier result), "3f9a01bc
 * + garment 77ab10cd", "4 results" (a shoot's approved variants), or null for a job from a prompt.
 */
export function inputWords(job: Pick<Job, 'inputs'>): string | null {
  const { inputs } = job;
  const picture = inputs.source ?? inputs.firstFrame;
  const words: string[] = [];
  if (picture) words.push(picture.kind === 'asset' ? shortId(picture.assetId) : `result ${shortId(picture.variantId)}`);
  if (inputs.garment) {
    const garment = inputs.garment.kind === 'asset' ? inputs.garment.assetId : inputs.garment.variantId;
    words.push(`garment ${shortId(garment)}`);
  }
  if (inputs.variants) words.push(`${inputs.variants.length} result${inputs.variants.length === 1 ? '' : 's'}`);
  return words.length > 0 ? words.join(' + ') : null;
}

// ---------------------------------------------------------------------------------------------
// Actions

export type JobAction = UserAction;

export const ACTION_LABELS: Record<JobAction, string> = {
  approve: 'Approve spend',
  resend: 'Resend',
  discard: 'Discard',
  retry: 'Retry',
  moveToTop: 'Move to top',
  cancel: 'Cancel',
};

/** Shown beside Resend and Discard on a job in needs_review. */
export const NEEDS_REVIEW_EXPLANATION =
  'The provider may have received this request before the connection dropped. Resending may charge again; discarding keeps nothing.';

/** The buttons a job offers, in the order they are shown: exactly what the engine's table allows. */
export function allowedActions(job: Pick<Job, 'state' | 'waitingFor' | 'shootId'>): JobAction[] {
  return userActions(job);
}

// ---------------------------------------------------------------------------------------------
// Grouping: shoot → provider

export interface ProviderGroup {
  /** Unique across the whole view: shoot key and provider id. */
  key: string;
  provider: string;
  providerName: string;
  jobs: Job[];
  counts: StateCounts;
}

export interface ShootGroup {
  key: string;
  /** null for jobs that belong to no shoot. */
  shootId: string | null;
  shootName: string;
  providers: ProviderGroup[];
  counts: StateCounts;
  /** Jobs of this shoot waiting for the user's approval of their spend, and their estimates per provider (units differ). */
  awaitingApproval: { jobs: number; byProvider: { provider: string; estimate: number }[] };
}

export const NO_SHOOT_NAME = 'No shoot';

/** Lower comes first: what needs the user, then work in flight, then waiting work, then history. */
function stateRank(state: JobState): number {
  switch (state) {
    case 'needs_review':
    case 'awaiting_input':
    case 'failed':
      return 0;
    case 'preparing':
    case 'submitting':
    case 'remote':
    case 'fetching':
      return 1;
    case 'queued':
      return 2;
    case 'done':
    case 'canceled':
      return 3;
    default:
      return assertNever(state);
  }
}

/** Order within a group: by rank; waiting jobs as the queue takes them (priority, then age). */
export function compareJobs(a: Job, b: Job): number {
  return (
    stateRank(a.state) - stateRank(b.state) ||
    b.priority - a.priority ||
    a.createdAt - b.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { sensitivity: 'base' });

/**
 * Groups jobs by shoot, then provider. Shoots are sorted by name with "No shoot" last, providers
 * by name, jobs with `compareJobs`: stable orders, so rows do not jump as updates arrive.
 */
export function groupJobs(jobs: readonly Job[], shootName: (id: string) => string, providerName: NameOf): ShootGroup[] {
  const shoots = new Map<string | null, Map<string, Job[]>>();
  for (const job of jobs) {
    let providers = shoots.get(job.shootId);
    if (!providers) shoots.set(job.shootId, (providers = new Map<string, Job[]>()));
    const list = providers.get(job.provider);
    if (list) list.push(job);
    else providers.set(job.provider, [job]);
  }

  const groups: ShootGroup[] = [];
  for (const [shootId, providers] of shoots) {
    const shootKey = shootId === null ? 'shoot:none' : `shoot:${shootId}`;
    const providerGroups: ProviderGroup[] = [...providers].map(([provider, list]) => ({
      key: `${shootKey}|${provider}`,
      provider,
      providerName: providerName(provider),
      jobs: [...list].sort(compareJobs),
      counts: countByState(list),
    }));
    providerGroups.sort((a, b) => byName(a.providerName, b.providerName) || byName(a.provider, b.provider));
    const all = providerGroups.flatMap((group) => group.jobs);
    const approval = all.filter((job) => job.state === 'awaiting_input' && job.waitingFor === 'approval');
    groups.push({
      key: shootKey,
      shootId,
      shootName: shootId === null ? NO_SHOOT_NAME : shootName(shootId),
      providers: providerGroups,
      counts: countByState(all),
      awaitingApproval: {
        jobs: approval.length,
        byProvider: providerGroups
          .map((group) => ({
            provider: group.provider,
            estimate: approval
              .filter((job) => job.provider === group.provider)
              .reduce((sum, job) => sum + (job.costEstimate ?? 0), 0),
          }))
          .filter((amount) => approval.some((job) => job.provider === amount.provider)),
      },
    });
  }
  groups.sort((a, b) => {
    if (a.shootId === null || b.shootId === null) return a.shootId === null ? (b.shootId === null ? 0 : 1) : -1;
    return byName(a.shootName, b.shootName) || byName(a.shootId, b.shootId);
  });
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Progress and ETA

/** Jobs done out of all jobs that still count: canceled ones will never be done, so they are left out. */
export function progressCounts(byState: Readonly<Record<string, number>>): { done: number; total: number } {
  let total = 0;
  for (const [state, count] of Object.entries(byState)) if (state !== 'canceled') total += count;
  return { done: byState.done ?? 0, total };
}

export function progressText(byState: Readonly<Record<string, number>>): string {
  const { done, total } = progressCounts(byState);
  return `${done} of ${total} done`;
}

/** "12 min", "1 h 25 min", "3 h": minutes up to an hour, then hours with minutes rounded to 5. */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const rounded = minutes >= 600 ? Math.round(minutes / 60) * 60 : Math.round(minutes / 5) * 5;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** "about 3 min left"; null when nothing is left or there is no estimate yet. */
export function etaText(etaMs: number | null): string | null {
  if (etaMs === null || !Number.isFinite(etaMs) || etaMs <= 0) return null;
  if (etaMs < 60_000) return 'less than a minute left';
  return `about ${durationWords(etaMs)} left`;
}

/** The header line: "3 of 10 done · about 3 min left", or "· paused" while the whole queue is paused. */
export function summaryText(stats: Pick<QueueStats, 'byState' | 'etaMs' | 'paused'>): string {
  const progress = progressText(stats.byState);
  if (stats.paused.global) return `${progress} · paused`;
  const eta = etaText(stats.etaMs);
  return eta ? `${progress} · ${eta}` : progress;
}

// ---------------------------------------------------------------------------------------------
// Pauses and provider banners

export function isProviderPaused(stats: Pick<QueueStats, 'paused'>, provider: string): boolean {
  return stats.paused.providers.includes(provider) || Object.hasOwn(stats.paused.providerReasons, provider);
}

export function isShootPaused(stats: Pick<QueueStats, 'paused'>, shootId: string | null): boolean {
  return shootId !== null && stats.paused.shoots.includes(shootId);
}

/** A provider's jobs that will move on by themselves once it is reachable again. */
export function waitingCount(stats: Pick<QueueStats, 'byProvider'>, provider: string): number {
  const counts = stats.byProvider[provider] ?? {};
  return MOVING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

export function unreachableText(name: string, waiting: number): string {
  return waiting === 1
    ? `${name} unreachable — 1 job waiting; it resumes by itself`
    : `${name} unreachable — ${waiting} jobs waiting; they resume by themselves`;
}

export function pausedText(name: string, reason: string): string {
  return `${name} paused: ${reason}`;
}

export type ProviderBanner =
  { kind: 'unreachable'; provider: string; text: string } | { kind: 'paused'; provider: string; text: string };

/** The banners every view shows, unreachable providers first, each list in provider-name order. */
export function providerBanners(
  stats: Pick<QueueStats, 'byProvider' | 'paused' | 'unreachable'>,
  providerName: NameOf,
): ProviderBanner[] {
  const sorted = (ids: Iterable<string>): string[] =>
    [...new Set(ids)].sort((a, b) => byName(providerName(a), providerName(b)) || byName(a, b));
  return [
    ...sorted(stats.unreachable).map((provider): ProviderBanner => ({
      kind: 'unreachable',
      provider,
      text: unreachableText(providerName(provider), waitingCount(stats, provider)),
    })),
    ...sorted(Object.keys(stats.paused.providerReasons)).map((provider): ProviderBanner => ({
      kind: 'paused',
      provider,
      text: pausedText(providerName(provider), stats.paused.providerReasons[provider] ?? ''),
    })),
  ];
}

// ---------------------------------------------------------------------------------------------
// Live updates and loading

/**
 * Applies a `job.updated` event (or an action's answer) to a list. A job already listed is
 * replaced in place unless the list holds a newer version of it (events and answers can cross);
 * a new job is appended. Returns the same array when nothing changed, so React can skip a render.
 */
export function mergeJob(jobs: readonly Job[], job: Job): Job[] {
  const index = jobs.findIndex((known) => known.id === job.id);
  if (index === -1) return [...jobs, job];
  const known = jobs[index];
  if (known === job || (known && known.updatedAt > job.updatedAt)) return jobs as Job[];
  const next = [...jobs];
  next[index] = job;
  return next;
}

/** Merges many jobs at once (e.g. events seen while a list was loading), newest version winning. */
export function mergeJobs(base: readonly Job[], incoming: readonly Job[]): Job[] {
  const next = [...base];
  const index = new Map(next.map((job, position) => [job.id, position]));
  for (const job of incoming) {
    const position = index.get(job.id);
    if (position === undefined) {
      index.set(job.id, next.length);
      next.push(job);
    } else if ((next[position]?.updatedAt ?? -Infinity) <= job.updatedAt) {
      next[position] = job;
    }
  }
  return next;
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

/** The most `jobs.list` allows per page. */
export const PAGE_SIZE = 500;
/** How many jobs the Queue view loads at most. */
export const MAX_LOADED_JOBS = 5_000;

/**
 * Pages through a job list until its end or `max` jobs. `truncated` says more were left. A cursor
 * that repeats (or an empty page) ends the walk, so a misbehaving server cannot loop it forever.
 */
export async function loadAllJobs(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<JobPage>,
  max: number = MAX_LOADED_JOBS,
): Promise<{ jobs: Job[]; truncated: boolean }> {
  const byId = new Map<string, Job>();
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const limit = Math.min(PAGE_SIZE, max - byId.size);
    if (limit <= 0) return { jobs: [...byId.values()], truncated: cursor !== undefined };
    const page = await fetchPage(cursor, limit);
    for (const job of page.jobs.slice(0, limit)) byId.set(job.id, job);
    // An empty page with a cursor, or a cursor seen before, would never end: stop there.
    if (page.nextCursor === null || page.jobs.length === 0 || seen.has(page.nextCursor)) {
      return { jobs: [...byId.values()], truncated: false };
    }
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
