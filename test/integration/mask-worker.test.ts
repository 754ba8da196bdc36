import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MaskContentSchema, maskWork, MAX_MASK_WORK, type MaskContent } from '../../shared/mask';
import { rasterizeStrokes } from '../../shared/mask-raster';
import { rasterizeStrokesInWorker } from '../../main/engine/masks/rasterize-worker';
import { silentLogger } from '../../main/engine/log';
import { startServer } from '../../main/headless/server';
import { startTestEngine } from '../support/engine';
import { seeded } from '../support/seeded';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Strokes as a hand paints them: wandering paths with pressure, on a 24 MP photo. */
function painted(strokes: number, points: number, size: number, feather: number): MaskContent {
  const random = seeded(42);
  const [width, height] = [6000, 4000];
  return MaskContentSchema.parse({
    width,
    height,
    strokes: Array.from({ length: strokes }, (_, index) => {
      let x = random() * width;
      let y = random() * height;
      return {
        mode: index % 7 === 6 ? 'erase' : 'paint',
        size,
        feather,
        points: Array.from({ length: points }, () => {
          x += (random() - 0.5) * 40;
          y += (random() - 0.5) * 40;
          return { x, y, pressure: random() };
        }),
      };
    }),
  });
}

describe('masks rendered off the main thread', () => {
  it('gives exactly the pixels the calling thread gives, erase strokes included', async () => {
    const drawing = MaskContentSchema.parse({
      width: 400,
      height: 300,
      strokes: [
        {
          mode: 'paint',
          size: 60,
          feather: 20,
          points: [
            { x: 50, y: 50 },
            { x: 300, y: 200 },
            { x: 350, y: 60 },
          ],
        },
        {
          mode: 'erase',
          size: 30,
          feather: 0,
          points: [
            { x: 200, y: 0 },
            { x: 200, y: 300 },
          ],
        },
        { mode: 'paint', size: 5, points: [{ x: 10, y: 290 }] },
      ],
    });
    const here = rasterizeStrokes(drawing, 800, 600);
    const there = await rasterizeStrokesInWorker(drawing, 800, 600);
    expect(there.length).toBe(here.length);
    expect(Buffer.from(there).equals(Buffer.from(here))).toBe(true);
    expect(here.some((value) => value === 255) && here.some((value) => value > 0 && value < 255)).toBe(true);
  });

  it('refuses a drawing over the rendering budget with a sentence, before any work', async () => {
    const heavy = painted(60, 200, 600, 300);
    expect(maskWork(heavy, 6000, 4000)).toBeGreaterThan(MAX_MASK_WORK);
    await expect(rasterizeStrokesInWorker(heavy, 6000, 4000)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'This mask is too detailed to render at 6000 × 4000: use fewer points, a smaller or harder brush.',
    });
  });

  it(
    'renders a mask at the budget while the server keeps answering /api/health',
    { timeout: 120_000 },
    async ({ annotate }) => {
      // 50 strokes of 200 points with pressure on a 24 MP photo, brush and feather chosen near the budget.
      const drawing = painted(50, 200, 480, 150);
      const work = maskWork(drawing, 6000, 4000);
      expect(work).toBeGreaterThan(0.6 * MAX_MASK_WORK);
      expect(work).toBeLessThanOrEqual(MAX_MASK_WORK);

      const { engine } = startTestEngine();
      const token = 'mask-token-0123456789abcdefghijklmnopq';
      const staticDir = path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
      const server = await startServer({ engine, log: silentLogger, token, staticDir, port: 0 });
      cleanups.push(() => server.close());
      const health = `http://127.0.0.1:${server.port}/api/health?token=${token}`;
      await fetch(health); // warm the connection path

      let rendering = true;
      const renderStarted = performance.now();
      const rendered = rasterizeStrokesInWorker(drawing, 6000, 4000).finally(() => (rendering = false));
      const latencies: number[] = [];
      while (rendering) {
        const started = performance.now();
        const response = await fetch(health);
        latencies.push(performance.now() - started);
        expect(response.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const mask = await rendered;
      const renderMs = performance.now() - renderStarted;
      expect(mask.length).toBe(6000 * 4000);
      const worst = Math.max(...latencies);
      await annotate(
        `work ${work.toExponential(2)}: render ${renderMs.toFixed(0)} ms, ${latencies.length} health checks while rendering, worst ${worst.toFixed(1)} ms`,
      );
      // Measured against the render itself, not a fixed number of milliseconds (a busy CI machine is
      // slow for both): rendered on the main thread, one check would wait for the whole render and
      // few could complete; off it, many complete and none waits more than a small part of it.
      expect(latencies.length).toBeGreaterThanOrEqual(10);
      expect(worst).toBeLessThan(renderMs / 10);
    },
  );
});
