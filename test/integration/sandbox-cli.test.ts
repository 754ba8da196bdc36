import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run sandbox', () => {
  it('starts the emulators and prints how to point Shootline at them; each answers', async () => {
    const script = path.resolve(import.meta.dirname, '..', 'sandbox', 'main.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, '--aixpose-port', '0', '--productai-port', '0', '--aurax-port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('npm run serve')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const aixpose = /SHOOTLINE_AIXPOSE_BASE_URL=(\S+) SHOOTLINE_AIXPOSE_API_KEY=(\S+)/.exec(output);
      const productai = /SHOOTLINE_PRODUCTAI_BASE_URL=(\S+) SHOOTLINE_PRODUCTAI_API_KEY=(\S+)/.exec(output);
      const aurax = /SHOOTLINE_AURAX_BASE_URL=(\S+) SHOOTLINE_AURAX_API_KEY=(\S+)/.exec(output);
      const keyId = /key id \((\S+)\)/.exec(output);
      expect(aixpose && productai && aurax && keyId).toBeTruthy();
      const task = await fetch(`${aurax?.[1]}/api/ai/task/none`, {
        headers: { 'x-api-key': aurax?.[2] ?? '', 'x-key-id': keyId?.[1] ?? '' },
      });
      expect(task.status).toBe(404); // a known key pair, an unknown task
      const balance = await fetch(`${aixpose?.[1]}/v1/credits/balance`, {
        headers: { authorization: `Bearer ${aixpose?.[2]}` },
      });
      expect(balance.status).toBe(200);
      const job = await fetch(`${productai?.[1]}/api/job/1`, { headers: { 'x-api-key': productai?.[2] ?? '' } });
      expect(job.status).toBe(404); // known key, unknown job: the API answers as documented
    } finally {
      child.kill('SIGTERM');
    }
  });
});
