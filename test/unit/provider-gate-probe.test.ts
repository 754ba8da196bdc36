import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/log';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { ProviderGate } from '../../main/engine/queue/provider-gate';
import { ManualClock } from '../support/manual-clock';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A gate whose probes answer from a script, on a clock that moves only when the test says. */
function gateWithProbes(answers: boolean[]) {
  const clock = new ManualClock(1_000_000);
  const probes: number[] = [];
  let reachableAgain = 0;
  const gate = new ProviderGate({
    provider: { id: 'remote', baseUrl: 'https://api.remote.example' } as ProviderModule,
    clock,
    random: () => 1, // back-off steps of 1 s, 2 s, 4 s, 8 s…
    probe: () => {
      probes.push(clock.now());
      return Promise.resolve(answers.shift() ?? false);
    },
    onReachable: () => (reachableAgain += 1),
    log: silentLogger,
  });
  return { gate, clock, probes, reachableAgain: () => reachableAgain };
}

describe('probing a provider at once when the network may be back', () => {
  it('cuts the back-off short: the next probe runs now, not when the step ends', async () => {
    const { gate, clock, probes, reachableAgain } = gateWithProbes([false, false, true]);
    gate.markUnreachable();
    clock.advance(1_000);
    await settle();
    clock.advance(2_000);
    await settle();
    expect(probes).toEqual([1_001_000, 1_003_000]);
    // Now a 4 s step has begun; the machine wakes up 10 ms into it.
    clock.advance(10);
    gate.probeNow();
    await settle();
    expect(probes).toEqual([1_001_000, 1_003_000, 1_003_010]);
    expect(gate.reachable).toBe(true);
    expect(reachableAgain()).toBe(1);
  });

  it('a probe that fails goes on with the back-off, and a reachable provider is not probed', async () => {
    const { gate, clock, probes } = gateWithProbes([false, false, true]);
    gate.probeNow();
    await settle();
    expect(probes).toEqual([]);
    gate.markUnreachable();
    gate.probeNow();
    await settle();
    expect(probes).toEqual([1_000_000]);
    expect(gate.reachable).toBe(false);
    // The loop is still there, its back-off begun again: the next step (1 s) ends with a probe.
    clock.advance(999);
    await settle();
    expect(probes).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(probes).toEqual([1_000_000, 1_001_000]);
    clock.advance(2_000);
    await settle();
    expect(probes).toEqual([1_000_000, 1_001_000, 1_003_000]);
  });

  it('stopping ends the probing for good, even after a probe-now', async () => {
    const { gate, clock, probes } = gateWithProbes([false, false, false]);
    gate.markUnreachable();
    gate.stop();
    gate.probeNow();
    clock.advance(60_000);
    await settle();
    expect(probes).toEqual([]);
  });
});
