#!/usr/bin/env node
// Runs electronegativity (offline) over the app's source and over the built JavaScript, and fails
// on any HIGH finding. electronegativity itself exits 0 whatever it finds, so its CSV is parsed.
//
//   node scripts/security-scan.mjs                 scan source (main, preload, renderer) and out/
//   node scripts/security-scan.mjs --input DIR     scan one folder (used by the tests on a fixture)
//   --json                                          print the findings as JSON instead of a table
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require_ = (await import('node:module')).createRequire(import.meta.url);
const electronVersion = require_('electron/package.json').version;
const cli = require_.resolve('@doyensec/electronegativity/dist/index.js');
// Checks that only download release data; they cannot run offline.
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

export function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => {
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const char = line[i];
      if (quoted) {
        if (char === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (char === '"') quoted = false;
        else cell += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        cells.push(cell.trim());
        cell = '';
      } else cell += char;
    }
    cells.push(cell.trim());
    const [issue, severity, confidence, file, location, sample, description] = cells;
    if (!SEVERITIES.has(severity ?? ''))
      throw new Error(`electronegativity wrote a row this scan cannot read: ${line}`);
    return { issue, severity, confidence, file, location, sample, description };
  });
}

const SEVERITIES = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH']);

function scan(input) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-scan-')), 'report.csv');
  const result = spawnSync(
    process.execPath,
    [
      '--require',
      path.join(root, 'scripts', 'electronegativity-shims.cjs'),
      cli,
      '--input',
      input,
      '--electron-version',
      electronVersion,
      '--exclude-checks',
      EXCLUDED_CHECKS.join(','),
      '--relative',
      '--output',
      out,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, LANG: 'en-US' } },
  );
  if (result.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`electronegativity failed on ${input} (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return parseCsv(fs.readFileSync(out, 'utf8'));
}

/** The source as one app: main, preload and renderer side by side, without node_modules or tests. */
function stageSource() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-src-'));
  for (const part of ['main', 'preload', 'renderer'])
    fs.cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  return dir;
}

function main(argv) {
  const inputIndex = argv.indexOf('--input');
  const json = argv.includes('--json');
  let targets;
  if (inputIndex >= 0) targets = [{ name: argv[inputIndex + 1], dir: path.resolve(argv[inputIndex + 1]) }];
  else {
    if (!fs.existsSync(path.join(root, 'out', 'main', 'index.js'))) {
      process.stderr.write('out/ is missing: run "npm run build" before the security scan.\n');
      return 2;
    }
    targets = [
      { name: 'source', dir: stageSource() },
      { name: 'built', dir: path.join(root, 'out') },
    ];
  }
  const report = targets.map((target) => ({ target: target.name, findings: scan(target.dir) }));
  const high = report.flatMap((entry) => entry.findings.filter((finding) => finding.severity === 'HIGH'));
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const entry of report) {
      process.stdout.write(`electronegativity on ${entry.target}: ${entry.findings.length} finding(s)\n`);
      for (const f of entry.findings)
        process.stdout.write(`  ${f.severity.padEnd(8)} ${f.issue}  ${f.file}:${f.location}\n`);
    }
    process.stdout.write(`HIGH findings: ${high.length}\n`);
  }
  return high.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
