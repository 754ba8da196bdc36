import { describe, expect, it } from 'vitest';
import { rasterizeStrokes } from '../../shared/mask-raster';
import { MaskContentSchema, type MaskContent, type MaskStroke } from '../../shared/mask';
import { MaskPainter } from '../../renderer/src/components/mask/mask-painter';

function drawing(strokes: unknown[], width = 200, height = 100): MaskContent {
  return MaskContentSchema.parse({ width, height, strokes });
}

/** Painted width across column x (pixels at or above half). */
function widthAt(buffer: Uint8Array, width: number, height: number, x: number): number {
  let count = 0;
  for (let y = 0; y < height; y++) if ((buffer[y * width + x] ?? 0) >= 128) count++;
  return count;
}

const line = (pressure: number | undefined, controls?: MaskStroke['pressureControls']) => ({
  points: [20, 60, 100, 140, 180].map((x) => ({ x, y: 50, ...(pressure === undefined ? {} : { pressure }) })),
  size: 40,
  hardness: 1,
  mode: 'paint',
  ...(controls ? { pressureControls: controls } : {}),
});

describe('pen pressure', () => {
  it('makes a light stroke narrower than a firm one when it controls the size', () => {
    const light = rasterizeStrokes(drawing([line(0.2, { size: true, opacity: false })]), 200, 100);
    const firm = rasterizeStrokes(drawing([line(1, { size: true, opacity: false })]), 200, 100);
    // 40 px at full pressure; (0.1 + 0.9 × 0.2) = 0.28 of it at 0.2.
    expect(widthAt(firm, 200, 100, 100)).toBe(40);
    expect(widthAt(light, 200, 100, 100)).toBeGreaterThanOrEqual(10);
    expect(widthAt(light, 200, 100, 100)).toBeLessThanOrEqual(12);
  });

  it('makes a light stroke fainter, not narrower, when it controls the opacity', () => {
    const light = rasterizeStrokes(drawing([line(0.2, { size: false, opacity: true })]), 200, 100);
    expect(light[50 * 200 + 100]).toBe(Math.round(255 * 0.28));
    let painted = 0;
    for (let y = 0; y < 100; y++) if ((light[y * 200 + 100] ?? 0) > 0) painted++;
    expect(painted).toBeGreaterThanOrEqual(40);
  });

  it('tapers between points of different pressure, and changes nothing without pressureControls', () => {
    const taper = drawing([
      {
        points: [
          { x: 20, y: 50, pressure: 0 },
          { x: 180, y: 50, pressure: 1 },
        ],
        size: 40,
        mode: 'paint',
        pressureControls: { size: true, opacity: false },
      },
    ]);
    const out = rasterizeStrokes(taper, 200, 100);
    const widths = [40, 100, 160].map((x) => widthAt(out, 200, 100, x));
    expect(widths[0]).toBeLessThan(widths[1] ?? 0);
    expect(widths[1]).toBeLessThan(widths[2] ?? 0);
    // Recorded pressure alone (a saved mask from before pressure counted) draws the full brush.
    const recorded = rasterizeStrokes(drawing([line(0.2)]), 200, 100);
    expect(recorded).toEqual(rasterizeStrokes(drawing([line(undefined)]), 200, 100));
  });
});

describe("the editor's painter", () => {
  const strokes = [
    {
      points: [
        { x: 30, y: 20 },
        { x: 90, y: 70 },
        { x: 160, y: 30 },
      ],
      size: 24,
      hardness: 0.5,
      opacity: 1,
      mode: 'paint',
    },
    {
      points: [
        { x: 60, y: 80 },
        { x: 140, y: 40 },
      ],
      size: 30,
      hardness: 0.2,
      opacity: 0.7,
      mode: 'paint',
    },
    {
      points: [
        { x: 100, y: 10 },
        { x: 100, y: 90 },
        { x: 120, y: 90 },
      ],
      size: 16,
      hardness: 1,
      opacity: 1,
      mode: 'erase',
    },
    {
      points: [
        { x: 20, y: 50, pressure: 0.3 },
        { x: 80, y: 55, pressure: 0.9 },
        { x: 150, y: 60, pressure: 0.5 },
      ],
      size: 20,
      hardness: 0.6,
      opacity: 1,
      mode: 'paint',
      pressureControls: { size: true, opacity: true },
    },
  ] as const;

  it('painting segment by segment gives the pixels of rendering the finished drawing whole (≥ 99.9%)', () => {
    const content = drawing([...strokes], 200, 100);
    // A proxy at half size, as the editor draws on the preview.
    const painter = new MaskPainter(200, 100, 100, 50);
    painter.renderAll({ ...content, strokes: [] });
    for (const stroke of content.strokes) {
      const { points, ...brush } = stroke;
      painter.begin(brush, points[0] ?? { x: 0, y: 0 });
      for (const point of points.slice(1)) painter.extend(brush, point);
      painter.end();
    }
    const whole = rasterizeStrokes(content, 100, 50);
    const live = painter.shown();
    let same = 0;
    let worst = 0;
    for (let index = 0; index < whole.length; index++) {
      const difference = Math.abs((whole[index] ?? 0) - (live[index] ?? 0));
      if (difference <= 1) same++;
      worst = Math.max(worst, difference);
    }
    expect(same / whole.length).toBeGreaterThanOrEqual(0.999);
    expect(worst).toBeLessThanOrEqual(8);
  });
});
