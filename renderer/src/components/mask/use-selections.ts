import { useCallback, useRef, useState } from 'react';
import { MAX_MASK_RASTERS, type MaskContent, type MaskRaster, type PixelBox } from '../../../../shared/mask';
import type { ApiClient } from '../../bridge/client';
import { blankContent, replace, type MaskHistory } from './mask-history';
import type { MaskPainter } from './mask-painter';
import { decodeMissingLayers } from './raster-layers';

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
  const inFlight = useRef(false);

  /**
   * Runs one selection at a time (others are ignored meanwhile): the answer becomes one step of the
   * drawing, made from the drawing as it is when the answer arrives.
   */
  const run = useCallback(
    async (
      working: string,
      compute: () => Promise<{ raster: MaskRaster; make: (current: MaskContent) => MaskContent }>,
      done: string,
    ) => {
      if (!present || !painter || !idle() || inFlight.current) return;
      inFlight.current = true;
      setBusy(true);
      say(working, null);
      try {
        const { raster, make } = await compute();
        await decodeMissingLayers(
          [raster],
          (png) => painter.hasLayer(png),
          (png, levels) => painter.addLayer(png, levels),
          painter.width,
          painter.height,
        );
        // Made from the drawing as it is now (a stroke may have landed meanwhile); never thrown in an update.
        let refusal: string | null = null;
        edit((current) => {
          try {
            return replace(current, make(current.present));
          } catch (caught) {
            refusal = caught instanceof Error ? caught.message : String(caught);
            return current;
          }
        });
        say(refusal ? null : done, refusal);
      } catch (caught) {
        say(null, caught instanceof Error ? caught.message : String(caught));
      } finally {
        inFlight.current = false;
        setBusy(false);
      }
    },
    [edit, idle, painter, present, say],
  );

  /** With a box, the refined object joins the drawing; from the drawing alone, it replaces the rough drawing. */
  const refine = useCallback(
    (box?: PixelBox) =>
      run(
        'Refining to the edges…',
        async () => {
          if (!present) throw new Error('Nothing to refine yet.');
          const layer = await client.call('masks.refine', { assetId, content: present, ...(box ? { box } : {}) });
          const raster = { png: layer.png, mode: 'paint' as const, opacity: 1 };
          const make = (current: MaskContent): MaskContent =>
            box && !current.invert && (current.strokes.length > 0 || current.rasters.length > 0)
              ? withLayer(current, raster)
              : { ...blankContent(photo.width, photo.height), rasters: [raster] };
          return { raster, make };
        },
        box
          ? 'The object in the box is selected: paint over it, or undo.'
          : 'Refined to the edges: paint over it, or undo.',
      ),
    [assetId, client, photo.height, photo.width, present, run],
  );

  const pickColour = useCallback(
    (point: { x: number; y: number }, tolerance: number, contiguous: boolean) =>
      run(
        'Selecting the colour…',
        async () => {
          if (!present) throw new Error('Nothing to add to yet.');
          if (present.invert)
            throw new Error('Colour select adds to a drawing that is not inverted: invert it back first.');
          const layer = await client.call('masks.selectColour', { assetId, point, tolerance, contiguous });
          const raster = { png: layer.png, mode: 'paint' as const, opacity: 1 };
          return { raster, make: (current: MaskContent) => withLayer(current, raster) };
        },
        'Colour selected (under the strokes): paint over it, or undo.',
      ),
    [assetId, client, present, run],
  );

  return { busy, refine, pickColour };
}

/** A drawing with one more raster layer (drawn under its strokes), within the layers a mask may hold. */
function withLayer(content: MaskContent, raster: MaskRaster): MaskContent {
  if (content.rasters.length >= MAX_MASK_RASTERS) {
    throw new Error(
      `A mask holds at most ${MAX_MASK_RASTERS} selections besides its strokes: save it, or clear it first.`,
    );
  }
  return { ...content, rasters: [...content.rasters, raster] };
}
