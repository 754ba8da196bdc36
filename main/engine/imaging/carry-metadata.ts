import type { WriteTags } from 'exiftool-vendored';
import { assertRegularFile } from '../regular-file';
import { LazyExifTool } from './exiftool-lazy';

/** The tags a photographer expects a result to keep from its source. */
const CARRIED = [
  'DateTimeOriginal',
  'CreateDate',
  'OffsetTimeOriginal',
  'Make',
  'Model',
  'LensModel',
  'Artist',
  'Copyright',
] as const;

/**
 * Cloud providers return images stripped of their metadata. This copies the source's capture time,
 * camera, lens, artist and copyright into a stored output, in place and without re-encoding its
 * pixels (exiftool rewrites the metadata segments only). GPS is not carried: results are often
 * published, and a location is the user's to add back.
 */
export class MetadataCarrier {
  private readonly exiftool = new LazyExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000 });

  async carry(sourceFile: string, outputFile: string): Promise<void> {
    await assertRegularFile(sourceFile);
    const tool = await this.exiftool.get();
    const source = await tool.read<Record<string, unknown>>(sourceFile);
    const tags: WriteTags = {};
    for (const name of CARRIED) {
      const value = source[name];
      // Dates come back as ExifDateTime objects, which exiftool-vendored writes back as they were.
      if (value === undefined || value === null || value === '') continue;
      (tags as Record<string, unknown>)[name] = value;
    }
    if (Object.keys(tags).length === 0) return;
    await tool.write(outputFile, tags, { writeArgs: ['-overwrite_original'] });
  }

  async end(): Promise<void> {
    await this.exiftool.end();
  }
}
