import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { Engine } from '../engine/engine';
import { createLogger, type Logger } from '../engine/log';
import { createLogFile, type LogFile } from '../engine/log-file';
import { DEFAULT_PORT, MIN_TOKEN_LENGTH, defaultDataDir, readVersion, usage } from '../../bin/cli-text.mjs';
import { serveToken } from './serve-token';
import { startServer } from './server';

/** Where the build put things, relative to this file (out/main/headless.js). */
function appRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
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
        'new-token': { type: 'boolean' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${readVersion(appRoot())}\n`);
    return 0;
  }
  if (values.help || positionals[0] !== 'serve' || positionals.length > 1) {
    const stream = values.help ? process.stdout : process.stderr;
    stream.write(`${usage()}\n`);
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
      `SHOOTLINE_TOKEN is ${fixedToken.length} characters long; use at least ${MIN_TOKEN_LENGTH} (for example the output of "openssl rand -base64 32"), or unset it to use the token kept in the data folder.\n`,
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
    const token = { fixed: fixedToken, fresh: values['new-token'] === true };
    return await serve({ port, host, dataDir, log, extraOrigins, logFile, webhookUrl, token });
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
  token: { fixed: string | undefined; fresh: boolean };
}): Promise<number> {
  const { log } = options;
  const staticDir = path.join(appRoot(), 'out', 'renderer');
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write(`The UI has not been built (${staticDir} is missing). Run "npm run build" first.\n`);
    return 1;
  }
  const engine = new Engine({
    dataDir: options.dataDir,
    shell: 'headless',
    version: readVersion(appRoot()),
    log,
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
  });
  try {
    engine.start();
    options.logFile.open();
  } catch (error) {
    process.stderr.write(`${error instanceof AppError ? error.message : String(error)}\n`);
    return 1;
  }
  // Read (or made) once this server holds the data folder: a second one cannot replace it meanwhile.
  let token: string;
  try {
    token = serveToken(options.dataDir, options.token);
  } catch (error) {
    await engine.stop();
    process.stderr.write(
      `Could not read or write the server's token in ${options.dataDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}).\n`,
    );
    return 1;
  }
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
