import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(root, 'scripts', 'security-scan.mjs');

interface Finding {
  issue: string;
  severity: string;
}

function scanJson(args: string[]): { status: number | null; report: { target: string; findings: Finding[] }[] } {
  const result = spawnSync(process.execPath, [script, '--json', ...args], { cwd: root, encoding: 'utf8' });
  if (result.status === 2 || result.stdout.trim() === '') throw new Error(`scan did not run: ${result.stderr}`);
  return { status: result.status, report: JSON.parse(result.stdout) as { target: string; findings: Finding[] }[] };
}

describe('the electronegativity scan', () => {
  it('finds no HIGH issue in the source or the built JavaScript', () => {
    const { status, report } = scanJson([]);
    expect(report.map((entry) => entry.target)).toEqual(['source', 'built']);
    const high = report.flatMap((entry) => entry.findings.filter((finding) => finding.severity === 'HIGH'));
    expect(high).toEqual([]);
    expect(status).toBe(0);
  });

  it('still catches the faults planted in an insecure fixture app, and fails on them', () => {
    const { status, report } = scanJson(['--input', path.join(root, 'test', 'fixtures', 'insecure-app')]);
    const issues = report.flatMap((entry) => entry.findings.filter((f) => f.severity === 'HIGH').map((f) => f.issue));
    expect(issues).toContain('CONTEXT_ISOLATION_JS_CHECK');
    expect(status).toBe(1);
    // And the human-readable run says how many.
    const text = spawnSync(process.execPath, [script, '--input', path.join(root, 'test', 'fixtures', 'insecure-app')], {
      encoding: 'utf8',
    });
    expect(text.stdout).toMatch(/HIGH findings: [1-9]/);
    expect(text.status).toBe(1);
  });
});
