/**
 * A whole engine behind the headless server's webhook route, in a child process, for crash tests:
 * prints `port=<n>` once it listens, runs until every job is settled, and with
 * SHOOTLINE_TEST_KILL=webhook kills itself right after a delivery was recorded as heard.
 *
 *   tsx test/support/webhook-crash-child.ts <data dir> <test provider url>
 */
import path from 'node:path';
import { openDatabase } from '../../main/engine/db/connection';
import { Engine } from '../../main/engine/engine';
import { createLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { testProviderModule } from './test-provider/module';
import { settled, waitFor } from './queue-harness';

export const WEBHOOK_HOST = 'hooks.crash.example';

/** The provider of the webhook crash test: signed deliveries, and polls only every ten minutes. */
export function hookedProvider(url: string) {
  return testProviderModule({
    id: 'hooked',
    baseUrl: url,
    idempotentSubmit: true,
    pollIntervalMs: 600_000,
    webhook: 'signed',
  });
}

if (process.argv[1]?.endsWith('webhook-crash-child.ts')) {
  const [dataDir = '', url = ''] = process.argv.slice(2);
  const log = createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) });
  const engine = new Engine({
    dataDir,
    shell: 'headless',
    version: '0.0.0-test',
    log,
    providers: [hookedProvider(url)],
    hooks: {
      afterWebhookHeard: () => {
        if (process.env.SHOOTLINE_TEST_KILL === 'webhook') process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  engine.start();
  const server = await startServer({
    engine,
    log,
    token: 'webhook-crash-token-0123456789abcdef',
    staticDir: path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer'),
    port: 0,
    webhookUrl: `https://${WEBHOOK_HOST}`,
  });
  process.stdout.write(`port=${server.port}\n`);
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  await waitFor(
    () => settled(db),
    () => 'not settled',
    120_000,
  );
  db.close();
  await server.close();
  await engine.stop();
  process.stdout.write('settled\n');
}
