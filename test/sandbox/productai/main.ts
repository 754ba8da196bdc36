import { parseArgs } from 'node:util';
import { randomTestKey, startProductaiSandbox } from './server';

/**
 * Runs the ProductAI sandbox on its own, for pointing the app at it by hand:
 *
 *   npx tsx test/sandbox/productai/main.ts --port 4010 [--key KEY] [--balance 1000] [--speed 10]
 *
 * Prints the base URL and the key to use, one `NAME=value` per line so a script can read them.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    key: { type: 'string' },
    balance: { type: 'string', default: '1000' },
    speed: { type: 'string', default: '1' },
    'allow-external-fetch': { type: 'boolean', default: false },
    'webhook-url': { type: 'string' },
  },
});

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    process.stderr.write(`--${name} must be a number (got ${text})\n`);
    process.exit(2);
  }
  return value;
};

const key = values.key ?? randomTestKey();
const sandbox = await startProductaiSandbox({
  port: number('port', values.port),
  apiKeys: [key],
  balance: number('balance', values.balance),
  speed: number('speed', values.speed),
  allowExternalFetch: values['allow-external-fetch'],
  webhookUrl: values['webhook-url'],
});

process.stdout.write(`PRODUCTAI_BASE_URL=${sandbox.baseUrl}\nPRODUCTAI_API_KEY=${key}\n`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
