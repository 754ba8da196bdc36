import { useEffect, useState } from 'react';
import type { PhotoInfo } from '../../../../../shared/api-review';
import { useClient } from '../../../store/context';
import { Facts, type Fact } from './Facts';
import {
  formatAperture,
  formatBytes,
  formatCaptured,
  formatFocalLength,
  formatGps,
  formatShutter,
  histogramPath,
} from './info-format';

const HISTOGRAM_WIDTH = 256;
const HISTOGRAM_HEIGHT = 80;
/** How long the panel waits on a photo before reading it (a held ↓ passes many photos). */
const SETTLE_MS = 150;

/** A photo's file, camera settings and histogram, read from the engine each time the photo changes. */
export function PhotoFacts({ assetId }: { assetId: string }): React.JSX.Element {
  const client = useClient();
  const [info, setInfo] = useState<{ assetId: string; info: PhotoInfo } | { assetId: string; error: string } | null>(
    null,
  );
  useEffect(() => {
    let current = true;
    // Moving through photos with the panel open reads only the photo the user stops on.
    const timer = window.setTimeout(() => {
      client
        .call('assets.info', { id: assetId })
        .then((read) => current && setInfo({ assetId, info: read }))
        .catch(
          (error: unknown) =>
            current && setInfo({ assetId, error: error instanceof Error ? error.message : 'Unknown error' }),
        );
    }, SETTLE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, assetId]);

  if (!info || info.assetId !== assetId) return <p className="muted">Reading the photo…</p>;
  if ('error' in info) return <p className="info-problem">{info.error}</p>;
  const photo = info.info;
  const facts: Fact[] = [
    ['File', photo.fileName],
    [
      'Size',
      `${formatBytes(photo.sizeBytes)}${photo.width && photo.height ? ` · ${photo.width}×${photo.height}` : ''}`,
    ],
    ['Format', photo.format?.toUpperCase() ?? null],
    ['Colour profile', photo.colourProfile ?? (photo.format ? 'None embedded (read as sRGB)' : null)],
    ['Captured', formatCaptured(photo.capturedAt)],
    ['Camera', photo.camera],
    ['Lens', photo.lens],
    ['Shutter', formatShutter(photo.exposureTime)],
    ['Aperture', formatAperture(photo.fNumber)],
    ['ISO', photo.iso === null ? null : String(photo.iso)],
    ['Focal length', formatFocalLength(photo.focalLength, photo.focalLength35)],
    ['GPS', formatGps(photo.gps)],
    ['Path', photo.path],
  ];
  return (
    <>
      {photo.histogram ? <Histogram histogram={photo.histogram} /> : null}
      {photo.problem ? <p className="info-problem">{photo.problem}</p> : null}
      <Facts facts={facts} testId="photo-facts" />
    </>
  );
}

function Histogram({ histogram }: { histogram: NonNullable<PhotoInfo['histogram']> }): React.JSX.Element {
  const tallest = Math.max(...histogram.red, ...histogram.green, ...histogram.blue, ...histogram.luma, 1);
  const path = (bins: readonly number[]): string => histogramPath(bins, tallest, HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT);
  return (
    <svg
      className="histogram"
      viewBox={`0 0 ${HISTOGRAM_WIDTH} ${HISTOGRAM_HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label="Histogram"
      data-testid="histogram"
    >
      <path d={path(histogram.luma)} className="histogram-luma" />
      <path d={path(histogram.red)} className="histogram-red" />
      <path d={path(histogram.green)} className="histogram-green" />
      <path d={path(histogram.blue)} className="histogram-blue" />
    </svg>
  );
}
