import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureAgainstFloor, photosPerSecond, ratioWords, runPhase } from './phases';

/** The local provider's enhance on `count` photos of 12 MP or more, against sharp decoding and encoding them. */
export function runEnhanceBench(count: number): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-enhance-bench-'));
  try {
    const dir = path.join(root, 'photos');
    runPhase('enhance-bench.ts', 'generate', dir, count);
    const measured = measureAgainstFloor('enhance-bench.ts', dir);
    const { ours, floor } = measured;
    process.stdout.write(
      `local enhance: ${ours.files} photos of 13–24 MP: ${photosPerSecond(ours, 2)}, floor ${photosPerSecond(floor, 2)}, ` +
        `ratio ${ratioWords(measured)} (aim >= 0.7); peak RSS ${ours.maxRssMb} MB, floor ${floor.maxRssMb} MB ` +
        `(floor: sharp decoding and re-encoding the same files as JPEG at the same concurrency)\n`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
