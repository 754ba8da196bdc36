import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVideoFileInfo, readVideoInfo } from '../../main/engine/imaging/mp4-info';
import { muxH264Mp4 } from '../sandbox/video/mp4';
import { tempDir } from '../support/temp';

/** A real little video: 4 frames of 32 × 16 at 4 fps. */
function sample(): Buffer {
  return muxH264Mp4(
    Array.from({ length: 4 }, () => new Uint8Array(32 * 16 * 3).fill(90)),
    32,
    16,
    4,
  );
}

function box(type: string, body: Buffer, size = body.length + 8): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(size >>> 0, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

describe('reading a video file’s facts, whatever the file holds', () => {
  it('reads the real one, from bytes and from a file, wherever its moov box sits', async () => {
    const bytes = sample();
    const expected = { codec: 'avc1.42C01E', width: 32, height: 16, durationMs: 1000, frameRate: 4 };
    expect(readVideoInfo(bytes)).toMatchObject(expected);
    const file = path.join(tempDir(), 'clip.mp4');
    fs.writeFileSync(file, bytes);
    expect(await readVideoFileInfo(file)).toMatchObject(expected);
  });

  it.each([
    ['nothing', Buffer.alloc(0)],
    ['text', Buffer.from('not a video at all')],
    ['a box shorter than its header', box('moov', Buffer.alloc(0), 4)],
    ['a box claiming more than the file', box('moov', Buffer.alloc(16), 4096)],
    ['a moov with no track', box('moov', box('mvhd', Buffer.alloc(100)))],
    ['a truncated real file', sample().subarray(0, 600)],
    ['a 64-bit size beyond the file', Buffer.concat([box('free', Buffer.alloc(0), 1), Buffer.alloc(8, 0xff)])],
    ['ten thousand empty boxes', Buffer.concat(Array.from({ length: 10_000 }, () => box('free', Buffer.alloc(0))))],
  ])('%s: no facts, and no throw', (_name, bytes) => {
    expect(readVideoInfo(bytes)).toBeNull();
  });

  it('a real file cut inside its moov box gives no facts, and a FIFO is refused without waiting', async () => {
    const bytes = sample();
    const moovAt = bytes.indexOf(Buffer.from('moov')) - 4;
    const file = path.join(tempDir(), 'cut.mp4');
    fs.writeFileSync(file, bytes.subarray(0, moovAt + 40));
    expect(await readVideoFileInfo(file)).toBeNull();
    if (process.platform !== 'win32') {
      const { execFileSync } = await import('node:child_process');
      const fifo = path.join(tempDir(), 'pipe.mp4');
      execFileSync('mkfifo', [fifo]);
      await expect(readVideoFileInfo(fifo)).rejects.toThrow();
    }
  });
});
