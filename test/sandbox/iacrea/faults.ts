import type { Fault, Route } from './types';

/** The faults a request can meet as it arrives (the rest are taken while it is processed). */
export const REQUEST_FAULTS = [
  'drop-before',
  'drop-after',
  'status-500',
  'status-503',
  'status-429',
  'slow',
  'invalid-json',
] as const satisfies readonly Fault['kind'][];

interface Armed {
  fault: Fault;
  remaining: number;
}

/** Armed faults, each used up after `count` matching uses, in the order they were armed. */
export class FaultBox {
  private readonly armed: Armed[] = [];

  arm(faults: readonly Fault[]): void {
    for (const fault of faults) {
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error('a fault count must be a whole number of at least 1');
      if (fault.kind === 'slow' && !(fault.ms >= 0)) throw new Error('a slow fault needs ms of at least 0');
      this.armed.push({ fault, remaining: count });
    }
  }

  clear(): void {
    this.armed.splice(0);
  }

  list(): { fault: Fault; remaining: number }[] {
    return this.armed.map(({ fault, remaining }) => ({ fault, remaining }));
  }

  /**
   * Uses the first armed fault of one of `kinds` that applies to `route` and passes `also`, if any.
   * A fault without a route applies to every route, unknown paths included.
   */
  take<K extends Fault['kind']>(
    route: Route,
    kinds: readonly K[],
    also: (fault: Extract<Fault, { kind: K }>) => boolean = () => true,
  ): Extract<Fault, { kind: K }> | null {
    const index = this.armed.findIndex(({ fault }) => {
      if (!(kinds as readonly string[]).includes(fault.kind)) return false;
      if (fault.route !== undefined) {
        const scope: readonly string[] = typeof fault.route === 'string' ? [fault.route] : fault.route;
        if (!scope.includes(route)) return false;
      }
      return also(fault as Extract<Fault, { kind: K }>);
    });
    const found = this.armed[index];
    if (!found) return null;
    found.remaining -= 1;
    if (found.remaining <= 0) this.armed.splice(index, 1);
    return found.fault as Extract<Fault, { kind: K }>;
  }
}
