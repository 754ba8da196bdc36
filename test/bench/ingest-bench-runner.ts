import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface PhaseResult {
  ms: number;
  files: number;
  maxRssMb: number;
}

/** Runs one phase of ingest-bench.ts in its own Node process (so its peak RSS is its own). */
function phase(name: string, dir: string, count?: number): PhaseResult {
  const script = path.join(import.meta.dirname, 'ingest-bench.ts');
  const args = ['--import', 'tsx', script, name, dir, ...(count === undefined ? [] : [String(count)])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`ingest bench ${name} failed: ${run.stderr}`);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as PhaseResult;
}

/**
 * Ingest of `count` distinct real-photo JPEGs: the engine from a hot folder to every thumbnail and
 * preview, against sharp alone making the same derivatives at the same concurrency. The floor runs
 * before and after ours and the faster of its two runs counts, so a cold disk cache cannot flatter us.
 */
export async function runIngestBench(count: number): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-ingest-bench-'));
  try {
    const dir = path.join(root, 'Shoot');
    phase('generate', dir, count);
    const megabytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0) / 1e6;
    const floorBefore = phase('floor', dir);
    const ours = phase('ours', dir);
    const floorAfter = phase('floor', dir);
    const floor = floorBefore.ms <= floorAfter.ms ? floorBefore : floorAfter;
    const rate = (result: PhaseResult): string => `${((result.files / result.ms) * 1000).toFixed(1)} photos/s`;
    process.stdout.write(
      `ingest: ${ours.files} JPEGs (${Math.round(megabytes)} MB, a third >= 12 MP), hot folder to thumbnails + previews: ` +
        `${rate(ours)}, floor ${rate(floor)}, ratio ${(floor.ms / ours.ms).toFixed(2)} (aim >= 0.8); ` +
        `peak RSS ${ours.maxRssMb} MB (aim < 500), floor ${floor.maxRssMb} MB ` +
        `(floor: sharp alone, same derivatives, same concurrency, no watcher or database)\n`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  await Promise.resolve();
}
