import { AppError } from '../../../../shared/errors';
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderModule } from '../contract';
import { LOCAL_OPERATIONS } from './operations';
import { runLocalOperation, type LocalOutput } from './operations-run';
import { releaseBuffer } from '../../release-buffer';

export const LOCAL_PROVIDER_ID = 'local';
/** The recipe every new hot folder gets unless the user picks another or "ingest only". */
export const LOCAL_AUTO_ENHANCE_RECIPE_ID = 'local-auto-enhance';

interface Manifest {
  outputs: { index: number; file: string; mimeType: LocalOutput['mimeType']; width: number; height: number }[];
}

const EXTENSIONS: Record<LocalOutput['mimeType'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };
const KEEP_WORK_MS = 60 * 60 * 1000;
/** Fetched results are in the media store; the work copy stays a little, in case storing is retried. */
const DROP_AFTER_FETCH_MS = 10 * 60 * 1000;
const RECENT_RUNS = 20;

/**
 * The on-device provider: needs no key, no network, and costs nothing. It goes through the same
 * contract and queue as the cloud providers, so jobs, variants, compare and export work the same.
 * A submit does the work (in sharp's threads and a worker for inpainting) and leaves the results in
 * its work folder under the job's id with a manifest written last; poll reads the manifest. After
 * a crash mid-run the job is simply submitted again: local work is free and repeatable.
 */
export function createLocalProvider(options: { workDir: string; concurrency?: number }): ProviderModule {
  const { workDir } = options;
  fs.mkdirSync(workDir, { recursive: true });
  removeOldWork(workDir, Date.now());
  const durations = new Map<string, number[]>();

  const manifestOf = (remoteId: string): Manifest | null => {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(remoteId)) return null;
    try {
      return JSON.parse(fs.readFileSync(path.join(workDir, remoteId, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      return null;
    }
  };

  return {
    id: LOCAL_PROVIDER_ID,
    name: 'Local',
    accountFields: [],
    // Free: its jobs cost nothing, so no budget ever holds them.
    unit: { one: 'credit', many: 'credits', fractionDigits: 0 },
    generative: false,
    baseUrl: null,
    // Running a job again is harmless and free, so the queue may always resubmit.
    capabilities: { idempotentSubmit: true, reconcile: false, webhooks: false, stream: false },
    operations: LOCAL_OPERATIONS,
    // One photo at a time per core would starve the engine's own ingest; one or two jobs suffice.
    concurrency: options.concurrency ?? 1,
    pollIntervalMs: 50,
    estimateCost: (operation) => {
      const recent = durations.get(operation) ?? [];
      const durationMs = recent.length > 0 ? median(recent) : undefined;
      return durationMs === undefined ? { credits: 0 } : { credits: 0, durationMs };
    },
    submit: async (context) => {
      const { job } = context;
      const started = context.now();
      const source = job.inputs.source;
      if (!source) throw new AppError('invalid_input', 'A local job needs a photo or a result to work on.');
      const output = await runLocalOperation({
        operation: job.operation,
        params: job.params,
        source,
        mask: job.inputs.mask,
        inputs: context.inputs,
        signal: context.signal,
      });
      const directory = path.join(workDir, job.id);
      fs.mkdirSync(directory, { recursive: true });
      const file = `0.${EXTENSIONS[output.mimeType]}`;
      writeAtomically(path.join(directory, file), output.bytes);
      releaseBuffer(output.bytes); // on disk now: fetchOutputs reads the file
      const manifest: Manifest = {
        outputs: [{ index: 0, file, mimeType: output.mimeType, width: output.width, height: output.height }],
      };
      // The manifest last: its presence means every output is whole.
      writeAtomically(path.join(directory, 'manifest.json'), Buffer.from(JSON.stringify(manifest)));
      const recent = [...(durations.get(job.operation) ?? []), context.now() - started].slice(-RECENT_RUNS);
      durations.set(job.operation, recent);
      return { remote: { id: job.id } };
    },
    poll: (_context, remote) => {
      const manifest = manifestOf(remote.id);
      return Promise.resolve(
        manifest
          ? { status: 'done', outputs: manifest.outputs.map((output) => ({ index: output.index, kind: 'image' })) }
          : { status: 'failed', message: 'The local result is gone (its work folder was cleared); run the job again.' },
      );
    },
    fetchOutputs: (_context, { id: remoteId }, outputs) => {
      const manifest = manifestOf(remoteId);
      if (!manifest) return Promise.reject(new Error('The local result is gone; run the job again.'));
      const wanted = new Set(outputs.map((output) => output.index));
      setTimeout(
        () => fs.rmSync(path.join(workDir, remoteId), { recursive: true, force: true }),
        DROP_AFTER_FETCH_MS,
      ).unref();
      return Promise.resolve(
        manifest.outputs
          .filter((output) => wanted.has(output.index))
          .map((output) => ({
            index: output.index,
            kind: 'image' as const,
            mimeType: output.mimeType,
            bytes: fs.readFileSync(path.join(workDir, remoteId, output.file)),
            width: output.width,
            height: output.height,
          })),
      );
    },
  };
}

function writeAtomically(file: string, bytes: Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, file);
}

/** Results are copied into the media store once fetched; what is left an hour later is clutter. */
function removeOldWork(workDir: string, now: number): void {
  for (const entry of fs.readdirSync(workDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const directory = path.join(workDir, entry.name);
    if (now - fs.statSync(directory).mtimeMs > KEEP_WORK_MS) fs.rmSync(directory, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
