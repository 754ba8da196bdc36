import type { Fault, FaultKind, Route } from './types';

/**
 * Armed faults (A21). Which kinds are taken where: the arrival kinds as a request arrives (after its
 * key and the rate limit), the charge kinds when a generate request has created its generation, the
 * outcome kinds when a generation is created (they decide how it ends).
 */
export const ARRIVAL_FAULTS = ['drop-before', 'error-500', 'delay'] as const satisfies readonly FaultKind[];
export const CHARGE_FAULTS = [
  'drop-after-charge',
  'unreadable-after-charge',
  'error-500-after-charge',
] as const satisfies readonly FaultKind[];
export const OUTCOME_FAULTS = ['fail', 'cancel'] as const satisfies readonly FaultKind[];

const KINDS: readonly FaultKind[] = [...ARRIVAL_FAULTS, ...CHARGE_FAULTS, ...OUTCOME_FAULTS];

interface Armed {
  fault: Fault;
  remaining: number;
}

export class FaultBox {
  private readonly armed: Armed[] = [];

  arm(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${JSON.stringify(fault.kind)}`);
    if (!Number.isInteger(times) || times < 1) throw new Error('a fault’s times must be a whole number of at least 1');
    if (fault.kind === 'delay' && !((fault.delayMs ?? 0) >= 0)) throw new Error('a delay fault needs delayMs ≥ 0');
    this.armed.push({ fault: { ...fault }, remaining: times });
  }

  clear(): void {
    this.armed.splice(0);
  }

  /** Uses the first armed fault of one of `kinds` whose route is `route` or 'any'. */
  take(route: Route, kinds: readonly FaultKind[]): Fault | null {
    const index = this.armed.findIndex(
      ({ fault }) => kinds.includes(fault.kind) && ((fault.route ?? 'any') === 'any' || fault.route === route),
    );
    const found = this.armed[index];
    if (!found) return null;
    found.remaining -= 1;
    if (found.remaining <= 0) this.armed.splice(index, 1);
    return found.fault;
  }
}
