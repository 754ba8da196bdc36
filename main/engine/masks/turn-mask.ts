import type { MaskContent } from '../../../shared/mask';
import { turnPoint, turnedSize, type Turn } from '../../../shared/turn';
import sharp from 'sharp';

/**
 * A mask's content for its photo turned `turn` quarter turns clockwise: the same painted area on
 * the turned picture. Strokes are vectors, so their points turn exactly; raster layers (imported or
 * refined selections) are turned as pictures, losslessly.
 */
export async function turnMaskContent(content: MaskContent, turn: Turn): Promise<MaskContent> {
  if (turn === 0) return content;
  const size = turnedSize(content.width, content.height, turn);
  const rasters = await Promise.all(
    content.rasters.map(async (raster) => ({
      ...raster,
      png: (
        await sharp(Buffer.from(raster.png, 'base64'))
          .rotate(90 * turn)
          .png()
          .toBuffer()
      ).toString('base64'),
    })),
  );
  return {
    ...content,
    ...size,
    strokes: content.strokes.map((stroke) => ({
      ...stroke,
      points: stroke.points.map((point) => ({
        ...point,
        ...turnPoint(point, content.width, content.height, turn),
      })),
    })),
    rasters,
  };
}
