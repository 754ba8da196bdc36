import { describe, expect, it } from 'vitest';
import { acceleratedClock } from '../../main/engine/clock';

describe('acceleratedClock', () => {
  // Without acceleration these waits would take over an hour: the test's own time limit catches that.
  it('runs its time faster than real time, for now, sleep and timers alike', async () => {
    const clock = acceleratedClock(10_000, 0);
    await clock.sleep(3_600_000);
    expect(clock.now()).toBeGreaterThanOrEqual(3_600_000);
    const fired = await new Promise<number>((resolve) => clock.setTimer(() => resolve(clock.now()), 3_600_000));
    expect(fired).toBeGreaterThanOrEqual(7_200_000);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const clock = acceleratedClock(1);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(new Error('canceled'));
    await expect(sleeping).rejects.toThrow('canceled');
  });
});
