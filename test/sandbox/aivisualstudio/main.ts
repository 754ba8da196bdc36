import { parseArgs } from 'node:util';
import { DEFAULT_API_KEY, SCOPES, startAivsSandbox } from './server';

/**
 * Runs the AI Visual Studio sandbox on its own, for pointing the app at it by hand:
 *
 *   npx tsx test/sandbox/aivisualstudio/main.ts --port 4715 [--key KEY] [--credits 1000] [--speed 10]
 *
 * Prints the base URL and the key, one `NAME=value` per line so a script can read them.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    key: { type: 'string', default: DEFAULT_API_KEY },
    credits: { type: 'string', default: '1000' },
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

const sandbox = await startAivsSandbox({
  port: number('port', values.port),
  keys: [{ key: values.key, scopes: [...SCOPES] }],
  credits: number('credits', values.credits),
  speed: number('speed', values.speed),
});

process.stdout.write(`AIVS_BASE_URL=${sandbox.baseUrl}\nAIVS_API_KEY=${sandbox.apiKey}\n`);

const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
