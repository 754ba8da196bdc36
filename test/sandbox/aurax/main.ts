import { parseArgs } from 'node:util';
import { randomTestKeys, startAuraxSandbox } from './server';

/**
 * Runs the AuraX sandbox on its own, for pointing the app at it by hand:
 *
 *   npx tsx test/sandbox/aurax/main.ts --port 4713 [--key KEY --key-id ID] [--credits 100] [--speed 10]
 *
 * Prints the base URL, the key and its id, one `NAME=value` per line so a script can read them.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    key: { type: 'string' },
    'key-id': { type: 'string' },
    credits: { type: 'string', default: '100' },
    speed: { type: 'string', default: '1' },
    'keep-alive-ms': { type: 'string', default: '0' },
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

const random = randomTestKeys();
const pair = { apiKey: values.key ?? random.apiKey, keyId: values['key-id'] ?? random.keyId };
const sandbox = await startAuraxSandbox({
  port: number('port', values.port),
  keys: [pair],
  credits: number('credits', values.credits),
  speed: number('speed', values.speed),
  keepAliveMs: number('keep-alive-ms', values['keep-alive-ms']),
});

process.stdout.write(`AURAX_BASE_URL=${sandbox.baseUrl}\nAURAX_API_KEY=${pair.apiKey}\nAURAX_KEY_ID=${pair.keyId}\n`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
