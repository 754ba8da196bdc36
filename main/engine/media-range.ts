/**
 * One byte range of a media file, as a `<video>` asks for it to seek (RFC 9110 §14): `bytes=a-b`,
 * `bytes=a-` or `bytes=-n`. Several ranges, another unit or a malformed header are ignored (the
 * whole file is sent, which the RFC allows); a range that starts past the end cannot be satisfied.
 */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

const RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/i;

export function parseByteRange(header: string | null | undefined, size: number): ByteRange {
  if (typeof header !== 'string') return null;
  const match = RANGE.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // The last n bytes.
    const length = Number(last);
    if (length === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * Whether to honour the Range at all: an `If-Range` naming another version than the file's ETag
 * asks for the whole file (the part the client holds is of an older one).
 */
export function rangeApplies(ifRange: string | null | undefined, etag: string): boolean {
  return ifRange === null || ifRange === undefined || ifRange === etag;
}
