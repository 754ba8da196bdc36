import { MOVING_STATES } from '../../../../shared/job-model';
import type { Job, QueueStats } from '../../../../shared/jobs';
import { byName, durationWords, type NameOf } from './queue-model';

/**
 * The queue's state as a whole, kept free of React like queue-model.ts: progress and ETA, pauses
 * and provider banners, merging live updates and paging the list.
 */

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
