import { useCallback, useState } from 'react';
import { z } from 'zod';

/**
 * The brush as the editor last left it, remembered between photos and sessions (as ComfyUI's mask
 * editor does). The size is a share of the photo's long side, so a brush that covered a window on
 * one photo covers about as much on the next whatever its resolution.
 */
const BrushSettingsSchema = z.object({
  /** Paint, erase, drag a box to refine to edges, or click a colour. */
  tool: z.enum(['brush', 'eraser', 'box', 'colour']).catch('brush'),
  size: z.number().min(0.001).max(1).catch(0.04),
  hardness: z.number().min(0).max(1).catch(0.7),
  opacity: z.number().min(0.05).max(1).catch(1),
  pressureSize: z.boolean().catch(true),
  pressureOpacity: z.boolean().catch(false),
  overlayColour: z
    .string()
    .regex(/^#[0-9a-f]{6}$/i)
    .catch('#ff2a2a'),
  overlayOpacity: z.number().min(0.1).max(1).catch(0.5),
  overlayShown: z.boolean().catch(true),
  /** The colour tool: how far a colour may be from the clicked one (0–1), and only pixels connected to it. */
  colourTolerance: z.number().min(0).max(1).catch(0.15),
  colourContiguous: z.boolean().catch(true),
});
export type BrushSettings = z.infer<typeof BrushSettingsSchema>;

const STORAGE_KEY = 'shootline.mask-brush';
export const DEFAULT_BRUSH: BrushSettings = BrushSettingsSchema.parse({});

export function loadBrush(storage: Pick<Storage, 'getItem'> | undefined): BrushSettings {
  try {
    const saved: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}');
    return BrushSettingsSchema.parse(typeof saved === 'object' && saved !== null ? saved : {});
  } catch {
    return DEFAULT_BRUSH;
  }
}

/** Steps the brush size the way `[` and `]` do in Lightroom: by a sixth, within bounds. */
export function stepSize(size: number, larger: boolean): number {
  return Math.min(1, Math.max(0.001, larger ? size * 1.2 : size / 1.2));
}

export function stepHardness(hardness: number, harder: boolean): number {
  return Math.round(Math.min(1, Math.max(0, hardness + (harder ? 0.1 : -0.1))) * 10) / 10;
}

export function overlayRgb(colour: string): { r: number; g: number; b: number } {
  const value = Number.parseInt(colour.slice(1), 16);
  return { r: (value >> 16) & 255, g: (value >> 8) & 255, b: value & 255 };
}

export function useBrushSettings(): [BrushSettings, (change: Partial<BrushSettings>) => void] {
  const [brush, setBrush] = useState(() => loadBrush(globalThis.localStorage));
  const update = useCallback((change: Partial<BrushSettings>) => {
    setBrush((current) => {
      const next = { ...current, ...change };
      try {
        globalThis.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // A full or disabled storage only means the brush is not remembered.
      }
      return next;
    });
  }, []);
  return [brush, update];
}
