import { describe, expect, it } from 'vitest';
import { LazyExifTool } from '../../main/engine/imaging/exiftool-lazy';
import { corpusPath } from '../support/corpus';

describe('an ExifTool made on first use', () => {
  it('is made once for callers that ask together, reads a photo, and a new one follows end()', async () => {
    const lazy = new LazyExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000 });
    try {
      const [first, second] = await Promise.all([lazy.get(), lazy.get()]);
      expect(second).toBe(first);
      const tags = await first.read(corpusPath('photos/dune_canon-rebel.jpg'));
      expect(tags.Make).toBe('Canon');
      await lazy.end();
      expect(first.ended).toBe(true);
      const next = await lazy.get();
      expect(next).not.toBe(first);
      await lazy.end();
      expect(next.ended).toBe(true);
    } finally {
      await lazy.end(); // a failed assertion leaves no perl process running
    }
  });

  it('ends a tool that was still being made when end() came', async () => {
    const lazy = new LazyExifTool({ maxProcs: 1 });
    const making = lazy.get();
    await lazy.end();
    const tool = await making;
    expect(tool.ended).toBe(true);
  });
});
