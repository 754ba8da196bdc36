import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface HeadlessProcess {
  url: string;
  origin: string;
  port: number;
  token: string;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Runs the real CLI (`bin/shootline.mjs serve`) as a user would, on a free port, and waits for its URL. */
export function startHeadless(options: {
  dataDir: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}): Promise<HeadlessProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'shootline.mjs'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      options.dataDir,
      ...(options.extraArgs ?? []),
    ],
    { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless server printed no URL:\n${stdout}\n${stderr}`)), 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`headless server exited with ${code}:\n${stdout}\n${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /Open (http:\/\/\S+)/.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      const url = new URL(match[1]);
      resolve({
        url: match[1],
        origin: url.origin,
        port: Number(url.port),
        token: url.searchParams.get('token') ?? '',
        pid: child.pid ?? 0,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
