import { useCallback, useState } from 'react';
import { MAX_MASK_RASTERS, type MaskContent, type PixelBox } from '../../../../shared/mask';
import type { ApiClient } from '../../bridge/client';
import { blankContent, replace, storedStroke, type MaskHistory } from './mask-history';
import type { MaskPainter } from './mask-painter';
import { decodeRasterLayers } from './raster-layers';

/**
 * Selections the engine computes from the photo's pixels, each one undoable step of the drawing:
 * "refine to edges" (the drawing as a rough selection, and/or a box, snapped by GrabCut: it
 * replaces the drawing) and a colour select (added as a layer under the strokes).
 */
export function useSelections(props: {
  client: ApiClient;
  assetId: string;
  photo: { width: number; height: number };
  present: MaskContent | null;
  painter: MaskPainter | null;
  /** False while a stroke is being painted. */
  idle: () => boolean;
  edit: (change: (history: MaskHistory) => MaskHistory) => void;
  say: (status: string | null, error: string | null) => void;
}): {
  busy: boolean;
  refine: (box?: PixelBox) => Promise<void>;
  pickColour: (point: { x: number; y: number }, tolerance: number, contiguous: boolean) => Promise<void>;
} {
  const { client, assetId, photo, present, painter, idle, edit, say } = props;
  const [busy, setBusy] = useState(false);

  /** Runs one selection: decodes its layers at the proxy's size first, then makes it one step. */
  const run = useCallback(
    async (working: string, compute: () => Promise<MaskContent>, done: string) => {
      if (!present || !painter || !idle()) return;
      setBusy(true);
      say(working, null);
      try {
        const content = await compute();
        painter.setRasterLayers(
          content.rasters,
          await decodeRasterLayers(content.rasters, painter.width, painter.height),
        );
        edit((current) => replace(current, content));
        say(done, null);
      } catch (caught) {
        say(null, caught instanceof Error ? caught.message : String(caught));
      } finally {
        setBusy(false);
      }
    },
    [edit, idle, painter, present, say],
  );

  const refine = useCallback(
    (box?: PixelBox) =>
      run(
        'Refining to the edges…',
        async () => {
          if (!present) throw new Error('Nothing to refine yet.');
          const layer = await client.call('masks.refine', { assetId, content: present, ...(box ? { box } : {}) });
          return {
            ...blankContent(photo.width, photo.height),
            rasters: [{ png: layer.png, mode: 'paint', opacity: 1 }],
          };
        },
        'Refined to the edges: paint over it, or undo.',
      ),
    [assetId, client, photo.height, photo.width, present, run],
  );

  const pickColour = useCallback(
    (point: { x: number; y: number }, tolerance: number, contiguous: boolean) =>
      run(
        'Selecting the colour…',
        async () => {
          if (!present) throw new Error('Nothing to add to yet.');
          if (present.rasters.length >= MAX_MASK_RASTERS) {
            throw new Error(
              `A mask holds at most ${MAX_MASK_RASTERS} selections besides its strokes: save it, or clear it first.`,
            );
          }
          const layer = await client.call('masks.selectColour', { assetId, point, tolerance, contiguous });
          // On an inverted drawing a visible addition is kept as a removal, as for strokes.
          const { mode } = storedStroke(present.invert, { mode: 'paint' as const });
          return { ...present, rasters: [...present.rasters, { png: layer.png, mode, opacity: 1 }] };
        },
        'Colour selected (under the strokes): paint over it, or undo.',
      ),
    [assetId, client, present, run],
  );

  return { busy, refine, pickColour };
}
