import { useEffect, useRef, useState } from 'react';
import type { MaskRef } from '../../../../shared/job-inputs';
import { useClient } from '../../store/context';
import { MaskPainter } from './mask-painter';
import { paintOverlay } from './overlay';
import { decodeMissingLayers } from './raster-layers';

/** The longest side the overlay is drawn at: enough for a pane, cheap to render. */
const OVERLAY_SIDE = 640;
const WASH = { r: 255, g: 64, b: 96 };
const WASH_OPACITY = 0.5;

/**
 * A pinned mask version drawn as a wash over the picture it was painted on (absolutely placed over
 * it, the same aspect): what a job sent, shown with the very renderer the engine used.
 */
export function MaskOverlay({ mask, label }: { mask: MaskRef; label: string }): React.JSX.Element {
  const client = useClient();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const draw = async (): Promise<void> => {
      const { content } = await client.call('masks.version', { id: mask.maskId, version: mask.version });
      const scale = Math.min(1, OVERLAY_SIDE / Math.max(content.width, content.height));
      const width = Math.max(1, Math.round(content.width * scale));
      const height = Math.max(1, Math.round(content.height * scale));
      const painter = new MaskPainter(content.width, content.height, width, height);
      await decodeMissingLayers(
        content.rasters,
        (png) => painter.hasLayer(png),
        (png, levels) => painter.addLayer(png, levels),
        width,
        height,
      );
      painter.renderAll(content);
      const target = canvas.current;
      const context = target?.getContext('2d');
      if (!current || !target || !context) return;
      target.width = width;
      target.height = height;
      const image = context.createImageData(width, height);
      paintOverlay(painter, image, { left: 0, top: 0, width, height }, WASH, WASH_OPACITY);
      context.putImageData(image, 0, 0);
    };
    draw().catch(() => current && setProblem('The mask this job sent can no longer be read.'));
    return () => {
      current = false;
    };
  }, [client, mask.maskId, mask.version]);

  return problem ? (
    <span className="mask-overlay-problem">{problem}</span>
  ) : (
    <canvas ref={canvas} className="mask-overlay" role="img" aria-label={label} data-testid="mask-overlay" />
  );
}
