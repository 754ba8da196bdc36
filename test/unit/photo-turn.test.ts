import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { orient } from '../../main/engine/imaging/decode';
import { orientationWithTurn, turnedContentKey } from '../../main/engine/imaging/turn';
import { addTurns, turnedSize, turnPoint, type Turn } from '../../shared/turn';

/** A 3 × 2 picture whose six pixels all differ, so any wrong turn or mirror shows. */
const W = 3;
const H = 2;
const PIXELS = Buffer.from([10, 40, 70, 100, 130, 160]);

async function tagged(orientation: number): Promise<Buffer> {
  return sharp(PIXELS, { raw: { width: W, height: H, channels: 1 } })
    .png()
    .withMetadata({ orientation })
    .toBuffer();
}

const pixelsOf = (pipeline: Sharp) => pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true });

describe('turns on top of EXIF orientations', () => {
  it('one explicit orientation (the RAW path) gives what sharp gives for the orientation and then the turn', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const file = await tagged(orientation);
      for (const turn of [0, 1, 2, 3] as Turn[]) {
        const expected = await pixelsOf(
          sharp(file)
            .autoOrient()
            .rotate(90 * turn),
        );
        const composed = await pixelsOf(
          orient(sharp(PIXELS, { raw: { width: W, height: H, channels: 1 } }), orientationWithTurn(orientation, turn)),
        );
        expect([...composed.data], `orientation ${orientation}, turn ${turn}`).toEqual([...expected.data]);
        expect(composed.info.width, `orientation ${orientation}, turn ${turn}`).toBe(expected.info.width);
      }
    }
  });

  it('turns a point with the picture: every pixel of a turned picture comes from where turnPoint says', async () => {
    for (const turn of [1, 2, 3] as Turn[]) {
      const turned = await pixelsOf(sharp(PIXELS, { raw: { width: W, height: H, channels: 1 } }).rotate(90 * turn));
      const size = turnedSize(W, H, turn);
      expect(turned.info.width).toBe(size.width);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          // Pixel centres: (x + 0.5, y + 0.5) lands on the centre of the pixel it became.
          const at = turnPoint({ x: x + 0.5, y: y + 0.5 }, W, H, turn);
          const index = Math.floor(at.y) * size.width + Math.floor(at.x);
          expect(turned.data[index], `turn ${turn}, pixel ${x},${y}`).toBe(PIXELS[y * W + x]);
        }
      }
    }
  });

  it('adds turns either way round, and keys a turned photo apart from the unturned one', () => {
    expect(addTurns(0, -1)).toBe(3);
    expect(addTurns(3, 1)).toBe(0);
    expect(addTurns(1, 2)).toBe(3);
    const hash = 'ab'.repeat(32);
    expect(turnedContentKey(hash, 0)).toBe(hash);
    expect(new Set([0, 1, 2, 3].map((turn) => turnedContentKey(hash, turn as Turn))).size).toBe(4);
  });
});
