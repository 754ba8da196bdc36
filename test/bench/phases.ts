import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** What each phase of a benchmark script prints as its last line. */
export interface PhaseResult {
  ms: number;
  files: number;
  maxRssMb: number;
}

/** Runs one phase of a benchmark script in its own Node process, so its peak RSS is its own. */
export function runPhase(script: string, name: string, dir: string, count?: number): PhaseResult {
  const args = ['--import', 'tsx', path.join(import.meta.dirname, script), name, dir];
  if (count !== undefined) args.push(String(count));
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} ${name} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as PhaseResult;
}

/** The median of some numbers (the lower middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

export interface AgainstFloor {
  /** The median run of ours, and of the floor (time and peak RSS each a median of their own). */
  ours: PhaseResult;
  floor: PhaseResult;
  /** floor / ours, pair by pair, and their median: what is printed as the ratio. */
  ratios: number[];
  ratio: number;
}

/**
 * Ours and the floor in turns, floor first, after one warm-up floor run that is not counted (a
 * cold disk cache must not flatter either side): BENCH_PHASE_PAIRS pairs (default 5). Each pair's
 * ratio is taken from two runs next to each other, so the machine's speed drifting during the bench
 * (a shared host is seldom quiet) moves both sides of a ratio alike; the median pair is reported.
 * Five, not three: on the 2-core CI host one pair in three or four lands on a busy moment of one
 * side only (ingest pairs of 0.83, 1.24 and 0.89 in one run), and the median of three then rests on
 * a single undisturbed pair.
 */
export function measureAgainstFloor(script: string, dir: string): AgainstFloor {
  const pairs = Math.max(1, Math.floor(Number(process.env.BENCH_PHASE_PAIRS ?? 5)) || 5);
  runPhase(script, 'floor', dir);
  const floors: PhaseResult[] = [];
  const ours: PhaseResult[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    floors.push(runPhase(script, 'floor', dir));
    ours.push(runPhase(script, 'ours', dir));
  }
  const ratios = ours.map((run, index) => (floors[index]?.ms ?? Number.NaN) / run.ms);
  const summary = (runs: PhaseResult[]): PhaseResult => ({
    ms: median(runs.map((run) => run.ms)),
    files: runs[0]?.files ?? 0,
    maxRssMb: median(runs.map((run) => run.maxRssMb)),
  });
  return { ours: summary(ours), floor: summary(floors), ratios, ratio: median(ratios) };
}

/** "0.95 (pairs 0.94, 0.95, 0.97)": the median ratio and each pair's. */
export function ratioWords(result: AgainstFloor): string {
  return `${result.ratio.toFixed(2)} (pairs ${result.ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`;
}

export function photosPerSecond(result: PhaseResult, digits = 1): string {
  return `${((result.files / result.ms) * 1000).toFixed(digits)} photos/s`;
}

/** The last line each phase prints. */
export function printPhaseResult(ms: number, files: number): void {
  process.stdout.write(
    `${JSON.stringify({ ms, files, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}
