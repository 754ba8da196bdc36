import { parseArgs } from 'node:util';
import { DEFAULT_API_KEY, DEFAULT_USER_ID, startIacreaSandbox } from './server';

/**
 * Runs the iacrea sandbox on its own, for pointing the app at it by hand:
 *
 *   npx tsx test/sandbox/iacrea/main.ts --port 4714 [--key KEY --user-id UUID] [--photos 100] [--speed 10]
 *
 * Prints the base URL, the key and its user id, one `NAME=value` per line so a script can read them.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    key: { type: 'string', default: DEFAULT_API_KEY },
    'user-id': { type: 'string', default: DEFAULT_USER_ID },
    photos: { type: 'string', default: '100' },
    outputs: { type: 'string', default: '2' },
    speed: { type: 'string', default: '1' },
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

const sandbox = await startIacreaSandbox({
  port: number('port', values.port),
  keys: [{ apiKey: values.key, userId: values['user-id'] }],
  photos: number('photos', values.photos),
  outputs: number('outputs', values.outputs),
  speed: number('speed', values.speed),
});

process.stdout.write(
  `IACREA_BASE_URL=${sandbox.baseUrl}\nIACREA_API_KEY=${values.key}\nIACREA_USER_ID=${values['user-id']}\n`,
);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
