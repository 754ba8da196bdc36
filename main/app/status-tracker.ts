import type { Logger } from '../engine/log';
import { ask, type DesktopEngine } from './desktop-engine';
import { IDLE_STATUS, withExport, withIngest, withQueueStats, type DesktopStatus } from './desktop-status';

/** Hot folders are counted again at most this often (they change rarely; queue stats come often)… */
const WATCHING_REFRESH_MS = 5_000;
/** …and at least this often, for a folder added or removed while the queue is idle. */
const WATCHING_RECOUNT_MS = 30_000;

/**
 * Follows the engine's events into one DesktopStatus and tells its listeners when it changed.
 * The page's own view of the network joins in: the main process has no `online` event.
 */
export class StatusTracker {
  private status: DesktopStatus = IDLE_STATUS;
  private pageOffline = false;
  private watchingReadAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<(status: DesktopStatus) => void>();

  constructor(
    private readonly engine: DesktopEngine,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly setTimer: (run: () => void, ms: number) => () => void,
  ) {}

  get current(): DesktopStatus {
    return { ...this.status, offline: this.status.offline || this.pageOffline };
  }

  onChange(listener: (status: DesktopStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Subscribes to the engine and reads where things stand; returns the way to stop. */
  start(): () => void {
    const stops = [
      this.engine.events.on('queue.stats', (stats) => {
        this.update(withQueueStats(this.status, stats));
        void this.refreshWatching();
      }),
      this.engine.events.on('ingest.progress', (progress) => this.update(withIngest(this.status, progress))),
      this.engine.events.on('export.progress', (progress) => this.update(withExport(this.status, progress))),
    ];
    void ask(this.engine, this.log, 'queue.stats', {}).then((stats) => {
      if (stats) this.update(withQueueStats(this.status, stats));
    });
    let cancelRecount = (): void => undefined;
    const recount = (): void => {
      void this.refreshWatching(true);
      cancelRecount = this.setTimer(recount, WATCHING_RECOUNT_MS);
    };
    recount();
    return () => {
      stops.forEach((stop) => stop());
      cancelRecount();
    };
  }

  setPageOnline(online: boolean): void {
    if (this.pageOffline === !online) return;
    this.pageOffline = !online;
    this.notify();
  }

  /** Counts the hot folders again (after a change the tray should show at once, pass `now`). */
  async refreshWatching(now = false): Promise<void> {
    if (!now && this.now() - this.watchingReadAt < WATCHING_REFRESH_MS) return;
    this.watchingReadAt = this.now();
    const folders = await ask(this.engine, this.log, 'hotFolders.list', {});
    if (folders) this.update({ ...this.status, watching: folders.length });
  }

  private update(next: DesktopStatus): void {
    const before = JSON.stringify(this.status);
    this.status = next;
    if (JSON.stringify(next) !== before) this.notify();
  }

  private notify(): void {
    const status = this.current;
    for (const listener of [...this.listeners]) listener(status);
  }
}
