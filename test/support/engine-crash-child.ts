/**
 * A whole engine (ingest, the queue, the real provider inputs: photos read from the hot folder,
 * results from the media store, masks rendered from their pinned versions) in a child process, for
 * crash tests of jobs with inputs by role. Runs the library until every job is settled, and can
 * SIGKILL itself at a step boundary:
 *
 *   tsx test/support/engine-crash-child.ts <data dir> <test provider url>
 *   SHOOTLINE_TEST_KILL=send:N     just after the Nth paid request was marked sending (before it leaves)
 *   SHOOTLINE_TEST_KILL=fetched:N  just after the Nth job was written as fetched, its variants stored
 */
import path from 'node:path';
import { openDatabase } from '../../main/engine/db/connection';
import { Engine } from '../../main/engine/engine';
import { createLogger } from '../../main/engine/log';
import { testProviderModule } from './test-provider/module';
import { settled, waitFor } from './queue-harness';

/** The provider the roles crash test runs: two paid steps per job, and every input read and reported. */
export function rolesProvider(url: string) {
  return testProviderModule({
    id: 'test',
    baseUrl: url,
    idempotentSubmit: true,
    steps: ['upload', 'create'],
    sendInputs: true,
    pollIntervalMs: 20,
    // One job at a time, so each kill lands at a known step of one job.
    concurrency: 1,
  });
}

if (process.argv[1]?.endsWith('engine-crash-child.ts')) {
  const [dataDir = '', url = ''] = process.argv.slice(2);
  const [kind = '', nth = '0'] = (process.env.SHOOTLINE_TEST_KILL ?? '').split(':');
  let count = 0;
  const killAt = (which: string) => () => {
    if (kind !== which) return;
    count += 1;
    if (count === Number(nth)) process.kill(process.pid, 'SIGKILL');
  };
  const engine = new Engine({
    dataDir,
    shell: 'headless',
    version: '0.0.0-test',
    log: createLogger({ level: 'warn', write: (line) => process.stderr.write(`${line}\n`) }),
    providers: [rolesProvider(url)],
    hooks: { queue: { afterStepMarkedSending: killAt('send'), afterFetched: killAt('fetched') } },
  });
  engine.start();
  const db = openDatabase(path.join(dataDir, 'shootline.db'));
  await waitFor(
    () => settled(db),
    () => 'not settled',
    120_000,
  );
  db.close();
  await engine.stop();
  process.stdout.write('settled\n');
}
