import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { variantFilePath } from '../../main/engine/queue/output-store';
import { knownOutput } from '../support/output-crash-child';
import { openQueueLibrary } from '../support/queue-harness';
import { tempDir } from '../support/temp';

const root = path.resolve(import.meta.dirname, '..', '..');
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('the output store', () => {
  it(
    'leaves whole variant files that survive a SIGKILL right after the job is marked fetched',
    { timeout: 60_000 },
    async () => {
      const dir = tempDir('shootline-output-crash-');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'test', 'support', 'output-crash-child.ts'), dir],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, sig) => resolve(sig)),
      );
      expect(signal, output).toBe('SIGKILL');

      const { db } = openQueueLibrary(dir);
      const job = db.prepare("SELECT id, state FROM jobs WHERE provider = 'maker'").get() as {
        id: string;
        state: string;
      };
      const variants = db.prepare('SELECT media_id, size_bytes FROM variants ORDER BY output_index').all() as {
        media_id: string;
        size_bytes: number;
      }[];
      db.close();
      expect(job.state).toBe('done');
      expect(variants).toHaveLength(2);
      for (const [index, variant] of variants.entries()) {
        const file = variantFilePath(path.join(dir, 'media'), variant.media_id, 'image/png');
        const bytes = fs.readFileSync(file);
        expect(sha(bytes), `output ${index}`).toBe(sha(knownOutput(index)));
        expect(variant.size_bytes).toBe(bytes.length);
      }
      // Nothing half-written is left beside them.
      expect(fs.readdirSync(path.join(dir, 'media', 'variant')).filter((name) => name.startsWith('.'))).toEqual([]);
    },
  );
});
