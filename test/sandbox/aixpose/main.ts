/**
 * Runs the AIXpose sandbox on its own, to point the app at it by hand:
 *
 *   npx tsx test/sandbox/aixpose/main.ts [--port 4010] [--cdn-port 4011] [--speed 10]
 *                                        [--credits 1000] [--key aix_test_…] [--webhook-secret whsec_…]
 *
 * Prints the base URL, the key and the webhook secret, then serves until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startAixposeSandbox } from './server';

const usage =
  'usage: main.ts [--port N] [--cdn-port N] [--speed X] [--credits N] [--key KEY] [--webhook-secret SECRET]\n';

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'cdn-port': { type: 'string' },
      speed: { type: 'string' },
      credits: { type: 'string' },
      key: { type: 'string' },
      'webhook-secret': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const sandbox = await startAixposeSandbox({
    port: number(values.port, 'port', 4010),
    cdnPort: number(values['cdn-port'], 'cdn-port', 0),
    speed: number(values.speed, 'speed', 1) || 1,
    credits: number(values.credits, 'credits', 1000),
    apiKey: values.key ?? 'aix_test_sandbox_key',
    webhookSecret: values['webhook-secret'],
  });
  process.stdout.write(
    [
      `AIXpose sandbox listening on ${sandbox.baseUrl}`,
      `CDN: ${sandbox.cdnUrl}`,
      `API key: ${sandbox.apiKey}`,
      `Webhook secret: ${sandbox.webhookSecret}`,
      `Point the app at it: SHOOTLINE_AIXPOSE_BASE_URL=${sandbox.baseUrl}`,
      '',
    ].join('\n'),
  );
  // Someone trying the app by hand wants to see what the sandbox refused, as it happens.
  let shown = 0;
  setInterval(() => {
    for (const violation of sandbox.violations.slice(shown)) {
      process.stderr.write(
        `violation: ${violation.method} ${violation.path} → ${violation.status} ${violation.reason}\n`,
      );
    }
    shown = sandbox.violations.length;
  }, 500).unref();
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
});
