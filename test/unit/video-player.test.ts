import { describe, expect, it } from 'vitest';
import { frameAt, stepTarget } from '../../renderer/src/components/video/frame-step';

describe('frame steps', () => {
  it.each([2, 4, 24, 25, 30, 60])('at %i fps, . moves one frame each press and , comes back one', (fps) => {
    const duration = 5;
    let time = 0.3 / fps; // somewhere inside frame 0
    const seen: number[] = [];
    for (let press = 0; press < 4; press += 1) {
      time = stepTarget(time, fps, duration, 1);
      seen.push(frameAt(time, fps));
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    time = stepTarget(time, fps, duration, -1);
    expect(frameAt(time, fps)).toBe(3);
  });

  it('stops at the first and the last frame', () => {
    expect(frameAt(stepTarget(0, 2, 4, -1), 2)).toBe(0);
    // 4 s at 2 fps: frames 0–7.
    expect(frameAt(stepTarget(3.9, 2, 4, 1), 2)).toBe(7);
    expect(stepTarget(3.9, 2, 4, 1)).toBeLessThan(4);
  });

  it('a time exactly on a frame boundary is that frame', () => {
    expect(frameAt(1.5, 2)).toBe(3);
    expect(frameAt(0.1 + 0.2, 10)).toBe(3);
  });

  it('without a known length it still steps forward', () => {
    expect(frameAt(stepTarget(0, 30, Number.NaN, 1), 30)).toBe(1);
  });
});
