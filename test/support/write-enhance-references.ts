/**
 * Writes the local enhance's reference samples (see enhance-references.ts). Run only when an
 * output is meant to change, and say why in the commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PhotoDecoder } from '../../main/engine/imaging/decode';
import { HeicDecoder } from '../../main/engine/imaging/heic';
import { isTiffBasedRaw, RawPreviewExtractor } from '../../main/engine/imaging/raw-preview';
import { ENHANCE_REFERENCE_CASES, enhanceCase, samplesOf, writeReference } from './enhance-references';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-references-'));
const heic = new HeicDecoder();
const raw = new RawPreviewExtractor();
const decoder = new PhotoDecoder({ heic, raw, tempDir: work, isTiffRaw: async (f) => (await isTiffBasedRaw(f)).raw });
try {
  for (const entry of ENHANCE_REFERENCE_CASES) {
    await writeReference(entry, await samplesOf(await enhanceCase(decoder, entry), entry.crop));
    process.stdout.write(`${entry.name}\n`);
  }
} finally {
  await heic.close();
  await raw.end();
  fs.rmSync(work, { recursive: true, force: true });
}
