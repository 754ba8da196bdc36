import { describe, expect, it } from 'vitest';
import { Limit } from '../../main/engine/limit';

describe('a limit on work at once', () => {
  it('runs at most its slots at once, the rest in the order they came, and frees a slot on failure', async () => {
    const limit = new Limit(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const fail: ((error: Error) => void)[] = [];
    const results = [0, 1, 2, 3].map((index) =>
      limit.run(
        () =>
          new Promise<number>((resolve, reject) => {
            started.push(index);
            finish[index] = () => resolve(index);
            fail[index] = reject;
          }),
      ),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    fail[0]?.(new Error('unreadable'));
    await expect(results[0]).rejects.toThrow('unreadable');
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    finish[1]?.();
    expect(await results[1]).toBe(1);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    finish[2]?.();
    finish[3]?.();
    expect(await Promise.all(results.slice(2))).toEqual([2, 3]);
  });
});
