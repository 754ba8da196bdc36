import type { Logger } from '../log';
import type { ProviderModule } from '../providers/contract';
import type { HttpResponse } from '../net/http';
import type { Clock } from '../clock';
import { parseRateLimitHeaders, TokenBucket } from './token-bucket';

const DEFAULT_CONCURRENCY = 4;
const PROBE_BASE_MS = 1_000;
const PROBE_CAP_MS = 60_000;

export interface ProviderGateOptions {
  provider: ProviderModule;
  clock: Clock;
  random: () => number;
  probe: (baseUrl: string, signal: AbortSignal) => Promise<boolean>;
  /** Called when an unreachable provider answers again, so the queue resumes by itself. */
  onReachable: () => void;
  /** Every request counted against the rate limit, so a restarted engine knows the window it is in. */
  onRequestCounted?: (at: number) => void;
  log: Logger;
}

/**
 * What stands between the queue and one provider: its rate limit (a token per request, polls and
 * probes included, learning from the provider's headers) and its reachability. While unreachable,
 * it probes the base URL with full-jitter backoff, so the number of requests during an outage stays
 * bounded, and lets the queue know when the provider is back.
 */
export class ProviderGate {
  reachable = true;
  /** The provider's balance as last read, minus what jobs since then reserved. */
  balance: { credits: number; readAt: number } | null = null;
  /** When the balance was last read again after a paid call, and whether a read is already due. */
  balanceRefreshedAt = Number.NEGATIVE_INFINITY;
  balanceRefreshPending = false;
  private readonly options: ProviderGateOptions;
  private readonly bucket: TokenBucket | null;
  private readonly stopController = new AbortController();
  private probing = false;
  /** Cuts the current back-off short (see probeNow). */
  private backoff: AbortController | null = null;
  /** No request before this time (epoch ms): the provider asked us to wait. */
  private pausedUntil = 0;
  readonly provider: ProviderModule;

  constructor(options: ProviderGateOptions) {
    this.options = options;
    this.provider = options.provider;
    const limit = options.provider.rateLimit;
    this.bucket = limit ? TokenBucket.perWindow(limit.requests, limit.windowMs, options.clock.now) : null;
  }

  concurrency(provider: ProviderModule): number {
    return provider.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /**
   * Waits until the provider may be asked again (a Retry-After it gave) and the rate limit allows
   * one more request, then counts it. Answers when it was granted: give it to `settle` once the
   * request is answered.
   */
  async takeToken(signal: AbortSignal): Promise<number> {
    const { clock } = this.options;
    for (;;) {
      const paused = this.pausedUntil - clock.now();
      if (paused > 0) {
        await clock.sleep(paused, signal);
        continue;
      }
      if (!this.bucket) break;
      const granted = this.bucket.takeUntilSettled();
      if (granted !== null) {
        this.options.onRequestCounted?.(granted);
        return granted;
      }
      await clock.sleep(Math.max(1, this.bucket.msUntilAvailable()), signal);
    }
    const granted = clock.now();
    this.options.onRequestCounted?.(granted);
    return granted;
  }

  /** The request granted at `granted` was answered or failed (see TokenBucket.settle). */
  settle(granted: number): void {
    this.bucket?.settle(granted);
  }

  learn(response: HttpResponse): void {
    if (!this.bucket) return;
    this.bucket.learn(parseRateLimitHeaders(response.header, this.options.clock.now()));
  }

  /**
   * A Retry-After from the provider on a 429 or 503: no request to it before then, from any job,
   * whether or not the provider has a rate limit of ours. A shorter pause never cuts a longer one.
   */
  pauseUntil(timeMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, timeMs);
    this.bucket?.pauseUntil(timeMs);
  }

  /** Requests counted against the rate limit before this engine started (see `onRequestCounted`). */
  seedRequests(times: readonly number[]): void {
    this.bucket?.seedGrants(times);
  }

  markUnreachable(): void {
    if (!this.options.provider.baseUrl) return; // the local provider is never offline
    this.reachable = false;
    if (!this.probing) void this.probeUntilReachable();
  }

  stop(): void {
    this.stopController.abort(new Error('stopped'));
  }

  /**
   * Something says the network may be back (the machine woke up, the OS reports a connection):
   * an unreachable provider is probed now instead of at the end of its back-off. A probe costs no
   * quota; a reachable provider is left alone.
   */
  probeNow(): void {
    this.backoff?.abort(new Error('probe now'));
  }

  private async probeUntilReachable(): Promise<void> {
    const { provider, random, probe, log } = this.options;
    const signal = this.stopController.signal;
    this.probing = true;
    log.warn('queue.provider_unreachable', { provider: provider.id });
    try {
      for (let attempt = 0; !this.reachable; attempt += 1) {
        const cut = await this.backOff(
          random() * Math.min(PROBE_CAP_MS, PROBE_BASE_MS * 2 ** Math.min(attempt, 16)),
          signal,
        );
        // The network changed: the back-off starts again from its first step.
        if (cut) attempt = -1;
        // A probe opens a connection and sends no request: it costs no quota, so it takes no token.
        if (await probe(provider.baseUrl ?? '', signal)) {
          this.reachable = true;
          log.info('queue.provider_reachable', { provider: provider.id, probes: attempt + 1 });
          this.options.onReachable();
        }
      }
    } catch {
      // Stopped while waiting: nothing to do.
    } finally {
      this.probing = false;
    }
  }

  /** Waits out one back-off step; true when `probeNow` cut it short. `stop` ends it with a rejection. */
  private async backOff(ms: number, stopped: AbortSignal): Promise<boolean> {
    const backoff = new AbortController();
    this.backoff = backoff;
    try {
      await this.options.clock.sleep(ms, AbortSignal.any([stopped, backoff.signal]));
      return false;
    } catch (error) {
      if (stopped.aborted) throw error;
      return true;
    } finally {
      this.backoff = null;
    }
  }
}
