import fs from 'node:fs';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { corpusPath } from '../support/corpus';
import { call, startTestEngine, until } from '../support/engine';
import { filesUnder, finished, ingested } from '../support/exports';
import { stubProvider } from '../support/stub-provider';
import { tempDir } from '../support/temp';

/**
 * Results that are not pictures leave as what they are: a video byte for byte, a description as
 * the caption of its photo's pictures or as a text file beside each.
 */

afterAll(() => exiftool.end());

const DESCRIPTION = 'Bright galley kitchen — oak floors, “new” appliances.\nSouth-facing garden.';
/** An MP4 as far as any reader can tell from its first box, with bytes after it that must survive unchanged. */
const VIDEO = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1'),
  Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 37) % 256)),
]);

/** A provider that makes, from a photo, its description and a short video. */
function studio(): ProviderModule {
  const base = stubProvider({ id: 'studio', name: 'Studio', baseUrl: null, paid: false });
  return {
    ...base,
    operations: {
      story: {
        label: 'Describe and film',
        description: '',
        params: z.object({}),
        hints: {},
        inputs: { source: 'photo' },
        paid: false,
        effect: 'generated',
      },
    },
    pollIntervalMs: 10,
    estimateCost: () => ({ credits: 0 }),
    submit: () => Promise.resolve({ remote: { id: 'r1' } }),
    poll: () =>
      Promise.resolve({
        status: 'done',
        outputs: [
          { index: 0, kind: 'text' },
          { index: 1, kind: 'video' },
        ],
      }),
    fetchOutputs: () =>
      Promise.resolve([
        { index: 0, kind: 'text', mimeType: 'text/plain', bytes: Buffer.from(DESCRIPTION, 'utf8') },
        { index: 1, kind: 'video', mimeType: 'video/mp4', bytes: VIDEO },
      ]),
  };
}

describe('exporting videos and descriptions', () => {
  it('copies an approved MP4 byte for byte and writes the description into the picture or beside it', async () => {
    const { engine } = startTestEngine({ stabilityMs: 200, providers: [studio()] });
    const [photo] = await ingested(engine, [corpusPath('photos/grace_hopper.jpg')], 'Listing');
    const shootId = photo?.shootId ?? '';
    const recipe = await call(engine, 'recipes.create', {
      name: 'Story',
      provider: 'studio',
      operation: 'story',
      params: {},
    });
    await call(engine, 'recipes.run', { recipeId: recipe.id, assetIds: [photo?.id ?? ''] });
    const made = await until(
      () => call(engine, 'variants.list', { shootId }),
      (list) => list.length === 2,
    );
    const video = made.find((variant) => variant.kind === 'video');
    await call(engine, 'variants.update', { id: video?.id ?? '', approved: true });

    // The approved video, copied as it is, under the template's name with its own extension (the photo
    // view numbers pictures and videos, not descriptions: the video is its Variant 1).
    const videos = tempDir();
    const approved = {
      name: 'Approved',
      what: 'approved',
      format: 'jpeg',
      size: { mode: 'original' },
      outputFolder: 'Out',
      filenameTemplate: '{name}_{variant}',
      metadata: 'strip-all',
    };
    // The preview of a video-only export names the video, not a failed render of it.
    expect(await call(engine, 'exports.preview', { shootId, preset: approved, targetRoot: videos })).toMatchObject({
      path: path.join(videos, 'Out', 'grace_hopper_v1.mp4'),
      format: 'mp4',
      sizeBytes: VIDEO.length,
      total: 1,
      smaller: 0,
    });
    const run = await call(engine, 'exports.start', { shootId, preset: approved, targetRoot: videos });
    expect(await finished(engine, run.id)).toMatchObject({ state: 'done', done: 1 });
    expect(filesUnder(videos)).toEqual(['Out/grace_hopper_v1.mp4']);
    expect(fs.readFileSync(path.join(videos, 'Out/grace_hopper_v1.mp4')).equals(VIDEO)).toBe(true);

    // The original with its description in XMP dc:description (and IPTC, EXIF), whatever the policy.
    const originals = {
      ...approved,
      name: 'Originals',
      what: 'originals',
      filenameTemplate: '{name}',
      descriptions: 'xmp',
    };
    const intoXmp = tempDir();
    const xmpRun = await call(engine, 'exports.start', { shootId, preset: originals, targetRoot: intoXmp });
    expect(await finished(engine, xmpRun.id)).toMatchObject({ state: 'done', done: 1 });
    const tags = await exiftool.read(path.join(intoXmp, 'Out/grace_hopper.jpg'));
    const oneLine = DESCRIPTION.replace('\n', ' ');
    expect(tags.Description).toBe(oneLine);
    expect(tags.ImageDescription).toBe(oneLine);
    expect((tags as Record<string, unknown>)['Caption-Abstract']).toBe(oneLine);

    // Or a .txt beside it, line breaks kept, and nothing in the picture.
    const beside = tempDir();
    const sidecarRun = await call(engine, 'exports.start', {
      shootId,
      preset: { ...originals, descriptions: 'sidecar' },
      targetRoot: beside,
    });
    expect(await finished(engine, sidecarRun.id)).toMatchObject({ state: 'done', done: 1 });
    expect(filesUnder(beside)).toEqual(['Out/grace_hopper.jpg', 'Out/grace_hopper.txt']);
    expect(fs.readFileSync(path.join(beside, 'Out/grace_hopper.txt'), 'utf8')).toBe(`${DESCRIPTION}\n`);
    expect((await exiftool.read(path.join(beside, 'Out/grace_hopper.jpg'))).Description).toBeUndefined();
  });
});
