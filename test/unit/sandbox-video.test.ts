import { describe, expect, it } from 'vitest';
import { readVideoInfo } from '../../main/engine/imaging/mp4-info';
import { muxH264Mp4 } from '../sandbox/video/mp4';
import { readSandboxVideo } from '../sandbox/video/read';

/** A frame of one colour, with a white square in the corner so frames can be told apart. */
function frame(width: number, height: number, rgb: [number, number, number], square: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const white = x < square && y < square;
      pixels.set(white ? [255, 255, 255] : rgb, (y * width + x) * 3);
    }
  }
  return pixels;
}

describe("the sandboxes' H.264 writer", () => {
  it('writes frames that read back within a few levels (4:2:0 and limited range cost little on flat colours)', () => {
    const width = 50; // not a multiple of 16: the stream is cropped
    const height = 38;
    const frames = [frame(width, height, [200, 40, 30], 8), frame(width, height, [20, 120, 220], 16)];
    const mp4 = muxH264Mp4(frames, width, height, 2);
    const video = readSandboxVideo(mp4);
    expect(video).toMatchObject({ codec: 'avc1', width, height, fps: 2 });
    expect(video.frames).toHaveLength(2);
    const at = (pixels: Uint8Array | undefined, x: number, y: number) =>
      Array.from(pixels?.subarray((y * width + x) * 3, (y * width + x) * 3 + 3) ?? []);
    for (const [index, colour] of [
      [0, [200, 40, 30]],
      [1, [20, 120, 220]],
    ] as const) {
      at(video.frames[index], 40, 30).forEach((level, channel) => {
        expect(Math.abs(level - (colour[channel] ?? 0))).toBeLessThanOrEqual(4);
      });
    }
    // The squares differ in size: frame 1's covers (12, 12), frame 0's does not.
    expect(at(video.frames[1], 12, 12).every((level) => level > 240)).toBe(true);
    expect(at(video.frames[0], 12, 12).every((level) => level > 240)).toBe(false);
  });

  it("is read by the engine's MP4 probe as H.264 Constrained Baseline with its size, length and rate", () => {
    const mp4 = muxH264Mp4(
      [frame(64, 48, [1, 2, 3], 0), frame(64, 48, [9, 9, 9], 0), frame(64, 48, [5, 5, 5], 0)],
      64,
      48,
      3,
    );
    expect(readVideoInfo(mp4)).toEqual({
      codec: 'avc1.42C01E',
      codecLabel: 'H.264 Constrained Baseline, level 3.0',
      width: 64,
      height: 48,
      durationMs: 1000,
      frameRate: 3,
    });
  });

  it('refuses an odd size (4:2:0 needs even ones)', () => {
    expect(() => muxH264Mp4([new Uint8Array(3 * 5 * 3)], 3, 5, 1)).toThrow('even size');
  });
});
