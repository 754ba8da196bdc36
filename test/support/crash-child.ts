/**
 * The engine's queue in a child process, for crash tests: it runs the queue over a library until
 * every job is settled, and can be told to kill itself (SIGKILL, no cleanup) at the most dangerous
 * moment: just after a paid request was marked as sending, before it leaves.
 *
 *   tsx test/support/crash-child.ts <library dir> <provider url> <dedupe 0|1> [kill before send #N] [steps,comma,separated]
 *   SHOOTLINE_TEST_STREAM=1  hear each job's status on the provider's stream (polling every 10 minutes only)
 */
import { testProviderModule } from './test-provider/module';
import { createRunner, openQueueLibrary, settled, waitFor } from './queue-harness';

const [dir = '', url = '', dedupe = '0', killBeforeSend = '0', steps = 'create'] = process.argv.slice(2);
const { db } = openQueueLibrary(dir);
let marked = 0;
const runner = createRunner(
  db,
  dir,
  [
    testProviderModule({
      id: 'test',
      baseUrl: url,
      idempotentSubmit: dedupe === '1',
      steps: steps.split(','),
      ...(process.env.SHOOTLINE_TEST_STREAM === '1' ? { stream: true, pollIntervalMs: 600_000 } : {}),
    }),
  ],
  {
    hooks: {
      afterStepMarkedSending: () => {
        marked += 1;
        if (marked === Number(killBeforeSend)) process.kill(process.pid, 'SIGKILL');
      },
    },
  },
);
runner.start();
await waitFor(
  () => settled(db),
  () => 'not settled',
  120_000,
);
await runner.stop();
db.close();
process.stdout.write('settled\n');
