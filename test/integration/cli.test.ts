import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHeadless } from '../support/headless-process';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(root, 'bin', 'shootline.mjs');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('shootline serve', () => {
  it('prints a loopback URL with a token, serves the UI, and stops cleanly on SIGTERM', async () => {
    const dataDir = path.join(tempDir(), 'library');
    const server = await startHeadless({ dataDir });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect(server.stdout()).toContain(`Data: ${dataDir}`);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'shootline.db'))).toBe(true);

    expect(await server.stop()).toBe(0);
    expect(server.stdout()).toContain('Shootline stopped.');
    expect(fs.existsSync(path.join(dataDir, 'engine.pid'))).toBe(false);
    // The log goes to stderr and to a file in the data dir; the token is printed for the user, never logged.
    const logFile = fs.readFileSync(path.join(dataDir, 'logs', 'shootline.log'), 'utf8');
    expect(logFile).toContain('"event":"engine.started"');
    expect(logFile).toContain('"event":"engine.stopped"');
    expect(logFile).not.toContain(server.token);
    expect(server.stderr()).not.toContain(server.token);
  });

  it('keeps its token across restarts of the same library (an open page keeps working), a new one on --new-token, SHOOTLINE_TOKEN over both', async () => {
    const dataDir = tempDir();
    const first = await startHeadless({ dataDir });
    await first.stop();
    const second = await startHeadless({ dataDir });
    // The page of the first start, still open, reaches the restarted server with the token it holds.
    const health = await fetch(`${second.url.replace(/\/\?token=.*$/, '')}/api/health?token=${first.token}`);
    expect(health.status).toBe(200);
    await second.stop();
    expect(second.token).toBe(first.token);
    expect((fs.statSync(path.join(dataDir, 'serve-token')).mode & 0o777).toString(8)).toBe('600');
    // Another library has its own token.
    const elsewhere = await startHeadless({ dataDir: tempDir() });
    await elsewhere.stop();
    expect(elsewhere.token).not.toBe(first.token);
    const renewed = await startHeadless({ dataDir, extraArgs: ['--new-token'] });
    await renewed.stop();
    expect(renewed.token).not.toBe(first.token);
    const fixedToken = 'studio-fixed-token-0123456789abcdef';
    const fixed = await startHeadless({ dataDir, env: { SHOOTLINE_TOKEN: fixedToken } });
    await fixed.stop();
    expect(fixed.token).toBe(fixedToken);
  });

  it('stops the engine and says so when the token file cannot be read', () => {
    const dataDir = tempDir();
    fs.mkdirSync(path.join(dataDir, 'serve-token')); // a folder where the file should be
    const result = run(['serve', '--port', '0', '--data-dir', dataDir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Could not read or write the server's token in ${dataDir} (EISDIR).`);
    expect(fs.existsSync(path.join(dataDir, 'engine.pid'))).toBe(false); // the engine let go of the folder
  });

  it('refuses a fixed token shorter than 32 characters, saying how long it must be', () => {
    const dataDir = path.join(tempDir(), 'library');
    const result = spawnSync(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SHOOTLINE_TOKEN: 'studio-fixed-token-123' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('SHOOTLINE_TOKEN is 22 characters long; use at least 32');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('refuses a second server on the same data dir with a message naming the first', async () => {
    const dataDir = tempDir();
    const first = await startHeadless({ dataDir });
    try {
      const second = run(['serve', '--port', '0', '--data-dir', dataDir]);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/Another Shootline \(process \d+\) is already using the data folder/);
    } finally {
      await first.stop();
    }
  });

  it('explains a port that is taken', async () => {
    const first = await startHeadless({ dataDir: tempDir() });
    try {
      const second = run(['serve', '--port', String(first.port), '--data-dir', tempDir()]);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`Port ${first.port} is already in use`);
    } finally {
      await first.stop();
    }
  });

  it.each([
    [['serve', '--port', 'eighty'], /--port must be a whole number/],
    [['serve', '--port', '70000'], /--port must be a whole number/],
    [['serve', '--colour'], /Unknown option '--colour'/],
    [['launch'], /Usage: shootline serve/],
    [[], /Usage: shootline serve/],
  ])('rejects %j with exit 2 and says why', (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('prints help and the version', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--data-dir');
    const version = run(['--version']);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('answers --help and --version on a clone that was never built, and says to build before serving', () => {
    const clone = tempDir();
    fs.cpSync(path.join(root, 'bin'), path.join(clone, 'bin'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(clone, 'package.json'));
    const inClone = (args: string[]) =>
      spawnSync(process.execPath, [path.join(clone, 'bin', 'shootline.mjs'), ...args], {
        cwd: clone,
        encoding: 'utf8',
      });
    const help = inClone(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: shootline serve [options]');
    expect(help.stdout).toContain('--new-token');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(inClone(['--version']).stdout.trim()).toBe(pkg.version);
    const serve = inClone(['serve']);
    expect(serve.status).toBe(1);
    expect(serve.stderr).toContain('Shootline has not been built yet. Run "npm run build"');
  });
});
