/**
 * The export crash child: opens the engine on a library prepared by the test, starts (or, with no
 * preset, only resumes) an export, and prints `run <id>` — then works until it is killed.
 * Usage: export-crash-child.ts <dataDir> [<shootId> <presetId> <targetRoot>]
 */
import { Engine } from '../../main/engine/engine';
import { silentLogger } from '../../main/engine/log';

const [dataDir = '', shootId, presetId, targetRoot] = process.argv.slice(2);
const engine = new Engine({ dataDir, shell: 'headless', version: '0.0.0-test', log: silentLogger });
engine.start();
if (shootId && presetId && targetRoot) {
  const envelope = await engine.call('exports.start', { shootId, presetId, targetRoot });
  if (!envelope.ok) {
    process.stderr.write(`${JSON.stringify(envelope.error)}\n`);
    process.exit(1);
  }
  process.stdout.write(`run ${(envelope.result as { id: string }).id}\n`);
}
// Keep working until killed.
setInterval(() => undefined, 1000);
