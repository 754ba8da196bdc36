import type { Logger } from './log';

type Stop = () => void | Promise<void>;

/**
 * Starts a set of parts once and stops them in the reverse order they were started, so nothing is
 * stopped while a part started after it may still use it (the queue before the decoders its jobs
 * read photos with, everything before the database). A part that fails to stop is logged and the
 * others still stop.
 */
export class Lifecycle {
  private state: 'idle' | 'running' | 'stopping' = 'idle';
  private readonly stops: { name: string; stop: Stop }[] = [];

  constructor(private readonly log: Logger) {}

  /**
   * Runs `build` unless the parts are running already. `build` registers each part it starts with
   * `own`. If it throws, what it had started is stopped at once (the database closed and the data
   * dir unlocked before the error reaches the caller) and the error goes on.
   */
  start(build: () => void): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    try {
      build();
    } catch (error) {
      this.abandon();
      throw error;
    }
  }

  /** Registers a started part and how to stop it; hands the part back. */
  own<T>(name: string, part: T, stop: (part: T) => void | Promise<void>): T {
    this.stops.push({ name, stop: () => stop(part) });
    return part;
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        this.log.warn('engine.stop_failed', { part: name, error });
      }
    }
    this.state = 'idle';
  }

  /** A start that failed: stop everything now, without waiting for the parts that stop slowly. */
  private abandon(): void {
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      const failed = (error: unknown): void => this.log.warn('engine.stop_failed', { part: name, error });
      try {
        void Promise.resolve(stop()).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
    this.state = 'idle';
  }
}
