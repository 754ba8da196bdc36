import type { Clock } from '../clock';
import type { PollResult } from '../providers/contract';

/** What a webhook told about a remote job: its status (a signed delivery), or only that it changed. */
export type JobNews = PollResult | 'changed';

/**
 * News for jobs the queue is waiting on, from webhooks. A job's poll loop sleeps through
 * `waitFor`, which ends early when news for it arrives; it then takes the news (a signed status is
 * used as the poll's answer, a hint makes it poll at once). In memory only: after a restart the
 * poll loop reads the status itself, so nothing a crash dropped is lost.
 */
export class JobNewsBox {
  private readonly news = new Map<string, JobNews>();
  private readonly waiting = new Map<string, () => void>();

  /** Tells a waiting job; a status outranks a bare hint that has not been read yet. */
  tell(jobId: string, news: JobNews): void {
    const known = this.news.get(jobId);
    if (!(news === 'changed' && known !== undefined)) this.news.set(jobId, news);
    this.waiting.get(jobId)?.();
  }

  /** A job that ended needs no news any more. */
  forget(jobId: string): void {
    this.news.delete(jobId);
  }

  take(jobId: string): JobNews | undefined {
    const news = this.news.get(jobId);
    this.news.delete(jobId);
    return news;
  }

  /** Sleeps `ms` on the queue's clock, or less if news for the job arrives; rejects when `signal` aborts. */
  async waitFor(jobId: string, ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
    if (this.news.has(jobId)) return;
    const early = new AbortController();
    this.waiting.set(jobId, () => early.abort());
    try {
      await clock.sleep(ms, AbortSignal.any([signal, early.signal]));
    } catch (error) {
      if (signal.aborted || !early.signal.aborted) throw error;
    } finally {
      this.waiting.delete(jobId);
    }
  }
}
