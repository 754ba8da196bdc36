import { isTerminal, MOVING_STATES, TERMINAL_STATES, userActions, type UserAction } from '../../../../shared/job-model';
import { type Job, type JobState, NEEDS_REVIEW_MESSAGE } from '../../../../shared/jobs';

/**
 * The Queue view's logic, kept free of React and the bridge so it can be tested in plain Node:
 * words for states and errors, which buttons a job offers, grouping (shoot → provider). The queue
 * as a whole (progress, banners, live updates, paging) is queue-status.ts.
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
export function stateWords(
  job: Pick<Job, 'state' | 'waitingFor' | 'provider'>,
  providerName: NameOf,
  local = false,
): string {
  // Work done on this machine is never "sent" anywhere: from start to result it is processing.
  if (local && (job.state === 'preparing' || job.state === 'submitting' || job.state === 'remote')) {
    return 'Processing';
  }
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

export const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { sensitivity: 'base' });

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

/** "12 min", "1 h 25 min", "3 h": minutes up to an hour, then hours with minutes rounded to 5. */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const rounded = minutes >= 600 ? Math.round(minutes / 60) * 60 : Math.round(minutes / 5) * 5;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
