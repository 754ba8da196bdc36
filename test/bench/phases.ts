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

/** The floor runs before and after ours and its faster run counts, so a cold disk cache cannot flatter us. */
export function measureAgainstFloor(script: string, dir: string): { ours: PhaseResult; floor: PhaseResult } {
  const before = runPhase(script, 'floor', dir);
  const ours = runPhase(script, 'ours', dir);
  const after = runPhase(script, 'floor', dir);
  return { ours, floor: before.ms <= after.ms ? before : after };
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
