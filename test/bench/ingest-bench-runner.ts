import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureAgainstFloor, photosPerSecond, ratioWords, runPhase } from './phases';

/**
 * Ingest of `count` distinct real-photo JPEGs: the engine from a hot folder to every thumbnail and
 * preview, against sharp alone making the same derivatives at the same concurrency.
 */
export function runIngestBench(count: number): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-ingest-bench-'));
  try {
    const dir = path.join(root, 'Shoot');
    runPhase('ingest-bench.ts', 'generate', dir, count);
    const megabytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0) / 1e6;
    const measured = measureAgainstFloor('ingest-bench.ts', dir);
    const { ours, floor } = measured;
    process.stdout.write(
      `ingest: ${ours.files} JPEGs (${Math.round(megabytes)} MB, a third >= 12 MP), hot folder to thumbnails + previews: ` +
        `${photosPerSecond(ours)}, floor ${photosPerSecond(floor)}, ratio ${ratioWords(measured)} (aim >= 0.9); ` +
        `peak RSS ${ours.maxRssMb} MB, floor ${floor.maxRssMb} MB, ratio ${(ours.maxRssMb / floor.maxRssMb).toFixed(2)} (aim <= 1.1) ` +
        `(floor: sharp alone, same derivatives, same concurrency, no watcher or database)\n`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
