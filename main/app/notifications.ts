import type { EventPayload } from '../../shared/api';
import type { DesktopView } from '../../shared/desktop';
import type { Job, WaitingFor } from '../../shared/jobs';
import type { Logger } from '../engine/log';
import { ask, type DesktopEngine } from './desktop-engine';
import type { DesktopPreferences, NotificationKind } from './preferences';

/** One native notification; a click opens `target`. */
export interface Notice {
  kind: NotificationKind;
  title: string;
  body: string;
  target: DesktopView;
}

export interface NotifierDeps {
  engine: DesktopEngine;
  log: Logger;
  preferences: Pick<DesktopPreferences, 'get'>;
  show: (notice: Notice) => void;
  /** A timer (the engine's clock in tests); returns the way to cancel it. */
  setTimer: (run: () => void, ms: number) => () => void;
}

/** Finishes and requests are gathered until work has been quiet this long, then said once… */
export const QUIET_MS = 4_000;
/** …or this long after the first of them, so a queue that never pauses is not silent for ever. */
export const MAX_WAIT_MS = 30_000;

type AttentionReason = 'review' | WaitingFor;
const REASON_WORDS: Record<AttentionReason, string> = {
  review: 'to review',
  mask: 'need a mask',
  garment: 'need a garment',
  approval: 'wait for approval',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function attentionReason(job: Job): AttentionReason | null {
  if (job.state === 'needs_review') return 'review';
  if (job.state === 'awaiting_input') return job.waitingFor ?? 'approval';
  return null;
}

/**
 * Native notifications, batched so a shoot of 200 photos makes one: jobs that finish are counted
 * per shoot and said when the shoot has nothing left to do; jobs that start to need the user are
 * counted while work keeps coming and said once it has been quiet for a moment; a provider the
 * queue paused, and an export that ended, are said as they happen. Each kind has an off switch.
 */
export class Notifier {
  /** Per shoot, the jobs that ended and how (a job retried after failing counts once, as it ended last). */
  private finished = new Map<string, Map<string, 'done' | 'failed'>>();
  private attention = new Map<AttentionReason, Set<string>>();
  /** Jobs already said to need the user, with why: said again only after they left that state. */
  private announced = new Map<string, AttentionReason>();
  private pausedProviders = new Set<string>();
  private cancelFlush: (() => void) | null = null;
  private cancelMaxWait: (() => void) | null = null;

  constructor(private readonly deps: NotifierDeps) {}

  start(): () => void {
    const { events } = this.deps.engine;
    const stops = [
      events.on('job.updated', (job) => this.onJob(job)),
      events.on('queue.stats', (stats) => this.onProviderPauses(stats.paused.providerReasons)),
      events.on('export.progress', (progress) => this.onExport(progress)),
    ];
    return () => {
      stops.forEach((stop) => stop());
      this.cancelFlush?.();
      this.cancelMaxWait?.();
    };
  }

  private onJob(job: Job): void {
    const reason = attentionReason(job);
    if (reason) {
      if (this.announced.get(job.id) === reason) return;
      this.announced.set(job.id, reason);
      const jobs = this.attention.get(reason) ?? new Set<string>();
      jobs.add(job.id);
      this.attention.set(reason, jobs);
      this.flushLater();
      return;
    }
    this.announced.delete(job.id);
    if (!job.shootId) return;
    if (job.state === 'done' || job.state === 'failed') {
      const jobs = this.finished.get(job.shootId) ?? new Map<string, 'done' | 'failed'>();
      jobs.set(job.id, job.state);
      this.finished.set(job.shootId, jobs);
      this.flushLater();
    } else if (job.state === 'canceled' && this.finished.has(job.shootId)) {
      // The shoot's last job may be this one: look again whether the shoot is done.
      this.flushLater();
    }
  }

  private onProviderPauses(reasons: Record<string, string>): void {
    for (const [provider, reason] of Object.entries(reasons)) {
      if (this.pausedProviders.has(provider)) continue;
      this.pausedProviders.add(provider);
      this.say({
        kind: 'providers',
        title: `${provider} is paused`,
        body: `${reason} Its jobs wait; nothing is lost.`,
        target: { section: 'settings', shootId: null },
      });
    }
    for (const provider of [...this.pausedProviders]) if (!(provider in reasons)) this.pausedProviders.delete(provider);
  }

  private onExport(progress: EventPayload<'export.progress'>): void {
    if (progress.state === 'running' || progress.state === 'canceled') return;
    const written = progress.done;
    const parts = [`${plural(written, 'file')} written`];
    if (progress.skipped > 0) parts.push(`${progress.skipped} skipped`);
    if (progress.failed > 0) parts.push(`${progress.failed} failed`);
    this.say({
      kind: 'exports',
      title: progress.state === 'done' && progress.failed === 0 ? 'Export finished' : 'Export finished with problems',
      body: `${parts.join(', ')}.`,
      target: { section: 'export', shootId: null },
    });
  }

  private flushLater(): void {
    this.cancelFlush?.();
    this.cancelFlush = this.deps.setTimer(() => void this.flush(), QUIET_MS);
    this.cancelMaxWait ??= this.deps.setTimer(() => void this.flush(), MAX_WAIT_MS);
  }

  private async flush(): Promise<void> {
    this.cancelFlush?.();
    this.cancelMaxWait?.();
    this.cancelFlush = null;
    this.cancelMaxWait = null;
    this.sayAttention();
    if (this.finished.size === 0) return;
    const shoots = await ask(this.deps.engine, this.deps.log, 'shoots.list', {});
    if (!shoots) return;
    const names = new Map(shoots.map((shoot) => [shoot.id, shoot] as const));
    const complete: { id: string; name: string; done: number; failed: number }[] = [];
    for (const [id, jobs] of this.finished) {
      const shoot = names.get(id);
      // A shoot with jobs still to run is said when its last one ends; a deleted one never.
      if (shoot && shoot.jobsPending > 0) continue;
      this.finished.delete(id);
      const ended = [...jobs.values()];
      const done = ended.filter((state) => state === 'done').length;
      if (shoot) complete.push({ id, name: shoot.name, done, failed: ended.length - done });
    }
    this.sayFinished(complete);
  }

  private sayAttention(): void {
    const counts = [...this.attention].map(([reason, jobs]) => [reason, jobs.size] as const);
    this.attention.clear();
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    if (total === 0) return;
    this.say({
      kind: 'attention',
      title: `${plural(total, 'job needs', 'jobs need')} you`,
      body: `${counts.map(([reason, n]) => `${n} ${REASON_WORDS[reason]}`).join(', ')}.`,
      target: { section: 'queue', shootId: null },
    });
  }

  private sayFinished(shoots: { id: string; name: string; done: number; failed: number }[]): void {
    if (shoots.length === 0) return;
    const done = shoots.reduce((sum, shoot) => sum + shoot.done, 0);
    const failed = shoots.reduce((sum, shoot) => sum + shoot.failed, 0);
    const outcome = `${plural(done, 'job')} done${failed > 0 ? `, ${failed} failed` : ''}.`;
    const [first] = shoots;
    if (shoots.length === 1 && first) {
      this.say({
        kind: 'finished',
        title: `“${first.name}” is done`,
        body: outcome,
        target: { section: 'shoots', shootId: first.id },
      });
      return;
    }
    const named = shoots.slice(0, 2).map((shoot) => `“${shoot.name}”`);
    const more = shoots.length > 2 ? ` and ${shoots.length - 2} more` : '';
    this.say({
      kind: 'finished',
      title: `${shoots.length} shoots are done`,
      body: `${outcome} ${named.join(', ')}${more}.`,
      target: { section: 'shoots', shootId: null },
    });
  }

  private say(notice: Notice): void {
    if (!this.deps.preferences.get('notifications')[notice.kind]) return;
    this.deps.show(notice);
  }
}

/** Electron's Notification, reduced to what is used. */
export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}
export interface NotificationConstructor {
  new (options: { title: string; body: string }): NotificationLike;
  isSupported(): boolean;
}

/** Notifications kept alive until clicked or closed: one only the OS holds is collected, and its click is lost. */
const MAX_KEPT = 20;

/** Shows a Notice as a native notification whose click opens its view. */
export function nativeNotices(
  Notification: NotificationConstructor,
  open: (target: DesktopView) => void,
): (notice: Notice) => void {
  const kept = new Set<NotificationLike>();
  return (notice) => {
    if (!Notification.isSupported()) return;
    const shown = new Notification({ title: notice.title, body: notice.body });
    const release = (): void => {
      kept.delete(shown);
    };
    shown.on('click', () => {
      release();
      open(notice.target);
    });
    shown.on('close', release);
    kept.add(shown);
    if (kept.size > MAX_KEPT) kept.delete(kept.values().next().value as NotificationLike);
    shown.show();
  };
}
