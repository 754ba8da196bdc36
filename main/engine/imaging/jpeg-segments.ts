/** A marker segment of a JPEG's header: its marker byte (0xE1 for APP1) and where it starts and ends. */
export interface JpegSegment {
  marker: number;
  start: number;
  end: number;
}

/**
 * The marker segments from SOI to the first scan (SOS), the part of a JPEG where metadata lives.
 * Stops early at anything that is not a well-formed segment.
 */
export function jpegHeaderSegments(jpeg: Buffer): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9) break;
    const end = at + 2 + jpeg.readUInt16BE(at + 2);
    if (end > jpeg.length) break;
    segments.push({ marker, start: at, end });
    at = end;
  }
  return segments;
}

/** Where the leading APPn segments (JFIF, EXIF, XMP, ICC, …) end: the place for another one. */
export function afterAppSegments(jpeg: Buffer): number {
  let end = 2;
  for (const segment of jpegHeaderSegments(jpeg)) {
    if (segment.marker < 0xe0 || segment.marker > 0xef) break;
    end = segment.end;
  }
  return end;
}
