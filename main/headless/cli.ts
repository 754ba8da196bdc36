import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { Engine } from '../engine/engine';
import { createLogger, type Logger } from '../engine/log';
import { createLogFile, type LogFile } from '../engine/log-file';
import { defaultDataDir } from './data-dir';
import { startServer } from './server';

const DEFAULT_PORT = 4780;
/** A fixed token guards the whole library: short ones can be guessed over a network. */
const MIN_TOKEN_LENGTH = 32;

const USAGE = `Usage: shootline serve [options]

Runs the Shootline engine without a window and serves its UI to a browser on this machine.

Options:
  --port <n>        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>  address to bind (default 127.0.0.1; 0.0.0.0 or another address exposes the engine
                    to the network: anyone with the token can then drive it)
  --allow-origin <origin>
                    also accept browser pages from this origin (e.g. http://studio.local:4780 when the
                    server is reached by a hostname); may be given more than once
  --data-dir <dir>  where the library lives (default ${defaultDataDir()})
  --webhook-url <https url>
                    the public address (a tunnel or reverse proxy to this server) providers deliver
                    webhooks to, as POST <address>/webhooks/<provider>; without it, jobs are polled
  --help            show this help
  --version         print the version

The session token is random at every start unless SHOOTLINE_TOKEN is set (at least ${MIN_TOKEN_LENGTH}
characters, e.g. from \`openssl rand -base64 32\`).`;

/** Where the build put things, relative to this file (out/main/headless.js). */
function appRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function readVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        'webhook-url': { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${readVersion()}\n`);
    return 0;
  }
  if (values.help || positionals[0] !== 'serve' || positionals.length > 1) {
    const stream = values.help ? process.stdout : process.stderr;
    stream.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a whole number from 0 to 65535, not "${values.port}".\n`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';
  const extraOrigins = values['allow-origin'] ?? [];
  const badOrigin = extraOrigins.find((origin) => !isOrigin(origin));
  if (badOrigin !== undefined) {
    process.stderr.write(`--allow-origin takes an origin like http://studio.local:4780, not "${badOrigin}".\n`);
    return 2;
  }
  const webhookUrl = values['webhook-url'];
  if (webhookUrl !== undefined && !isHttpsUrl(webhookUrl)) {
    process.stderr.write(
      `--webhook-url takes a public https address like https://hooks.studio.example, not "${webhookUrl}".\n`,
    );
    return 2;
  }
  const fixedToken = process.env.SHOOTLINE_TOKEN;
  if (fixedToken && fixedToken.length < MIN_TOKEN_LENGTH) {
    process.stderr.write(
      `SHOOTLINE_TOKEN is ${fixedToken.length} characters long; use at least ${MIN_TOKEN_LENGTH} (for example the output of "openssl rand -base64 32"), or unset it for a new random token at each start.\n`,
    );
    return 2;
  }
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logFile = createLogFile(path.join(dataDir, 'logs'), (error) =>
    process.stderr.write(`Cannot write the log file: ${error.message}\n`),
  );
  const log = createLogger({
    level: process.env.SHOOTLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info',
    write: (line) => {
      process.stderr.write(`${line}\n`);
      logFile.write(line);
    },
  });
  try {
    return await serve({ port, host, dataDir, log, extraOrigins, logFile, webhookUrl });
  } finally {
    await logFile.close();
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

async function serve(options: {
  port: number;
  host: string;
  dataDir: string;
  log: Logger;
  extraOrigins: string[];
  logFile: LogFile;
  webhookUrl: string | undefined;
}): Promise<number> {
  const { log } = options;
  const staticDir = path.join(appRoot(), 'out', 'renderer');
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write(`The UI has not been built (${staticDir} is missing). Run "npm run build" first.\n`);
    return 1;
  }
  const engine = new Engine({ dataDir: options.dataDir, shell: 'headless', version: readVersion(), log });
  try {
    engine.start();
    options.logFile.open();
  } catch (error) {
    process.stderr.write(`${error instanceof AppError ? error.message : String(error)}\n`);
    return 1;
  }
  const token = process.env.SHOOTLINE_TOKEN || randomBytes(24).toString('base64url');
  let server;
  try {
    server = await startServer({
      engine,
      log,
      token,
      staticDir,
      host: options.host,
      port: options.port,
      extraOrigins: options.extraOrigins,
      webhookUrl: options.webhookUrl,
    });
  } catch (error) {
    await engine.stop();
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `Port ${options.port} is already in use. Choose another with --port (0 picks a free one).`
        : `Could not start the server: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    return 1;
  }
  if (!['127.0.0.1', '::1', 'localhost'].includes(options.host)) {
    process.stderr.write(
      `Warning: listening on ${options.host}; anyone who can reach it and has the token controls this engine.\n`,
    );
  }
  process.stdout.write(`Shootline is running. Data: ${options.dataDir}\nOpen ${server.url}\n`);

  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      resolve();
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  await server.close();
  await engine.stop();
  process.stdout.write('Shootline stopped.\n');
  return 0;
}
