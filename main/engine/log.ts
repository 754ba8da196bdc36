/**
 * A small structured logger. Every line passes through redaction: values registered as secrets
 * (API keys, the headless token) and anything shaped like a credential are masked before they are
 * written, so no secret reaches a log file or the console.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** Masks this exact value in every later line. */
  registerSecret(value: string): void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';
// Credentials that may appear in URLs or headers even when nobody registered them.
const CREDENTIAL_PATTERNS: RegExp[] = [
  /([?&](?:token|api_key|apikey|key|signature|X-Amz-Signature|X-Amz-Credential)=)[^&\s"']+/gi,
  /((?:authorization|x-api-key)["']?\s*[:=]\s*["']?(?:Bearer\s+)?)[^\s"',}]+/gi,
];

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

export function createLogger(options: {
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const secrets = new Set<string>();

  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < threshold) return;
    const line = JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...serialize(fields) });
    write(redact(line, secrets));
  };

  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    registerSecret: (value) => {
      secrets.add(value);
    },
  };
}

function serialize(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

/** For tests and tools that must stay quiet. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  registerSecret: () => undefined,
};
