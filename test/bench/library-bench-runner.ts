import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallFigures } from './library-bench';
import { measureFirstPaint } from './library-paint';
import { median } from './phases';

const PAIRS = 3;

/** One phase of library-bench.ts in its own Node process; its last line, parsed. */
function phase<T>(name: string, root: string, count?: number): T {
  const args = ['--import', 'tsx', path.join(import.meta.dirname, 'library-bench.ts'), name, root];
  if (count !== undefined) args.push(String(count));
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`library-bench.ts ${name} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as T;
}

const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;

/**
 * The library bench (BENCH_LIBRARY photos, 100,000 by default): a library as a studio has after
 * months of work, built in a temp folder, then each figure against its floor (see library-bench.ts
 * for what is measured and library-build.ts for what is built). Returns the lines to print.
 */
export async function runLibraryBench(photos: number): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-library-bench-'));
  try {
    const buildStart = Date.now();
    phase('generate', root, photos);
    const lines = [
      `library: ${photos.toLocaleString('en-US')} photos in 200 shoots, ${(photos * 5).toLocaleString('en-US')} jobs, ` +
        `${(photos * 3).toLocaleString('en-US')} variants (built in ${((Date.now() - buildStart) / 1000).toFixed(0)} s)`,
    ];
    // Start against a stat walk of the same files, in turns, after one walk that warms the disk cache.
    phase('walk', root);
    const starts: number[] = [];
    const walks: number[] = [];
    for (let pair = 0; pair < PAIRS; pair += 1) {
      walks.push(phase<{ ms: number }>('walk', root).ms);
      starts.push(phase<{ ms: number }>('start', root).ms);
    }
    const ratios = starts.map((start, index) => start / (walks[index] ?? Number.NaN));
    lines.push(
      `  engine start to ready (open, recover, scan of every file): ${ms(median(starts))}, floor (a stat walk of the ` +
        `same files) ${ms(median(walks))}, ratio ${median(ratios).toFixed(2)} (pairs ${ratios.map((r) => r.toFixed(2)).join(', ')}; aim <= 2)`,
    );
    const engine = phase<{ readyMs: number; idleRssMb: number; calls: CallFigures[] }>('engine', root);
    lines.push(`  engine idle RSS: ${engine.idleRssMb} MB (aim <= 300 MB)`);
    for (const call of engine.calls) {
      lines.push(
        `  ${call.name}: p50 ${ms(call.p50)}, p95 ${ms(call.p95)}; floor (bare SQL for the same rows) p50 ` +
          `${ms(call.floorP50)}, p95 ${ms(call.floorP95)}; p95 ratio ${(call.p95 / call.floorP95).toFixed(2)} (aim <= 3 and <= 20 ms)`,
      );
    }
    const scan = phase<{ rescanMs: number; seen: number; answers: number; p50: number; p95: number; max: number }>(
      'scan',
      root,
    );
    lines.push(
      `  /api/health during a rescan of ${scan.seen.toLocaleString('en-US')} files (${(scan.rescanMs / 1000).toFixed(1)} s): ` +
        `p50 ${ms(scan.p50)}, p95 ${ms(scan.p95)}, max ${ms(scan.max)} over ${scan.answers} answers (aim p95 <= 50 ms)`,
    );
    if (process.env.BENCH_LIBRARY_PAINT !== '0') {
      const paint = await measureFirstPaint(root);
      const ratio = median(paint.ours) / median(paint.floor);
      lines.push(
        `  grid first paint, 5,000-photo shoot (${paint.thumbnails} thumbnails in view): ${ms(median(paint.ours))}, ` +
          `floor (a static page of the same thumbnails) ${ms(median(paint.floor))}, ratio ${ratio.toFixed(2)} (aim <= 2)`,
      );
    }
    return lines;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
