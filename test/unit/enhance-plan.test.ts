import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCurves, planEnhance } from '../../main/engine/providers/local/enhance-plan';
import { PRESET_SETTINGS } from '../../main/engine/providers/local/operations';
import { PREVIEW_KINDS, planPreview } from '../support/plan-previews';

/**
 * The tone curves each preset plans for made-up previews, as the plan made them when it still
 * walked every pixel for its sums, ranges and means (before it read them from histograms): the
 * same tables, to the last entry, or some photo's colours would move.
 */
const TABLES = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/enhance-plan/tables.json'), 'utf8'),
) as Record<string, Record<string, string[]>>;

describe('the enhance plan', () => {
  const cases = PREVIEW_KINDS.flatMap((kind) => Object.keys(PRESET_SETTINGS).map((preset) => [kind, preset] as const));

  it.each(cases)('plans the same tone curves for a %s preview with the %s preset', (kind, preset) => {
    const plan = planEnhance(planPreview(kind), PRESET_SETTINGS[preset as keyof typeof PRESET_SETTINGS]);
    const tables = planCurves(plan).map((lut) => Buffer.from(lut).toString('hex'));
    expect(tables).toEqual(TABLES[kind]?.[preset]);
  });

  it('reads whole pixels only: a trailing byte or two change nothing', () => {
    const preview = planPreview('dark-warm');
    const settings = PRESET_SETTINGS.auto;
    const plan = planEnhance(preview, settings);
    for (const extra of [1, 2]) {
      const longer = new Uint8Array(preview.length + extra).fill(255);
      longer.set(preview);
      expect(planEnhance(longer, settings)).toEqual(plan);
    }
  });
});
