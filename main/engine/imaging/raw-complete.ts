/**
 * Is a camera RAW whole? Its embedded preview usually sits near the start and the sensor data at
 * the end, so a copy cut short still yields a perfect preview — and a job would then run on a file
 * that is about to change. This checks that every image strip and tile the file's directories
 * point at lies inside the file (TIFF-based RAWs: CR2, NEF, ARW, DNG, ORF, RW2, PEF…), or that the
 * top-level boxes of an ISO-BMFF RAW (CR3) add up to the file. Formats it cannot read (RAF) pass.
 */
export function rawLooksComplete(bytes: Uint8Array): boolean {
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp') return boxesComplete(bytes);
  const little = bytes[0] === 0x49 && bytes[1] === 0x49;
  const big = bytes[0] === 0x4d && bytes[1] === 0x4d;
  if (!little && !big) return true;
  return tiffComplete(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), little);
}

const STRIP_OFFSETS = 0x111;
const STRIP_BYTE_COUNTS = 0x117;
const TILE_OFFSETS = 0x144;
const TILE_BYTE_COUNTS = 0x145;
const SUB_IFDS = 0x14a;
const EXIF_IFD = 0x8769;
const JPEG_OFFSET = 0x201;
const JPEG_LENGTH = 0x202;
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8, 13: 4 };
const MAX_DIRECTORIES = 64;

function tiffComplete(view: DataView, little: boolean): boolean {
  const length = view.byteLength;
  if (length < 8) return false;
  const first = view.getUint32(4, little);
  const pending = [first];
  const visited = new Set<number>();
  let furthest = 0;
  while (pending.length > 0 && visited.size < MAX_DIRECTORIES) {
    const offset = pending.shift() ?? 0;
    if (offset === 0 || visited.has(offset)) continue;
    visited.add(offset);
    if (offset + 2 > length) return false;
    const count = view.getUint16(offset, little);
    if (offset + 2 + count * 12 + 4 > length) return false;
    const fields = new Map<number, number[]>();
    for (let index = 0; index < count; index += 1) {
      const at = offset + 2 + index * 12;
      const tag = view.getUint16(at, little);
      const type = view.getUint16(at + 2, little);
      const values = view.getUint32(at + 4, little);
      const size = (TYPE_SIZES[type] ?? 1) * values;
      if (
        ![
          STRIP_OFFSETS,
          STRIP_BYTE_COUNTS,
          TILE_OFFSETS,
          TILE_BYTE_COUNTS,
          SUB_IFDS,
          EXIF_IFD,
          JPEG_OFFSET,
          JPEG_LENGTH,
        ].includes(tag)
      )
        continue;
      if (type !== 3 && type !== 4 && type !== 13) continue;
      const dataAt = size <= 4 ? at + 8 : view.getUint32(at + 8, little);
      if (dataAt + size > length) return false;
      const read: number[] = [];
      for (let value = 0; value < Math.min(values, 100_000); value += 1) {
        read.push(type === 3 ? view.getUint16(dataAt + value * 2, little) : view.getUint32(dataAt + value * 4, little));
      }
      fields.set(tag, read);
    }
    for (const [offsets, counts] of [
      [STRIP_OFFSETS, STRIP_BYTE_COUNTS],
      [TILE_OFFSETS, TILE_BYTE_COUNTS],
      [JPEG_OFFSET, JPEG_LENGTH],
    ] as const) {
      const starts = fields.get(offsets) ?? [];
      const sizes = fields.get(counts) ?? [];
      starts.forEach((start, index) => {
        furthest = Math.max(furthest, start + (sizes[index] ?? 0));
      });
    }
    pending.push(...(fields.get(SUB_IFDS) ?? []), ...(fields.get(EXIF_IFD) ?? []));
    pending.push(view.getUint32(offset + 2 + count * 12, little));
  }
  return furthest <= length;
}

function boxesComplete(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) return false;
    let size = view.getUint32(at);
    if (size === 1) {
      if (at + 16 > bytes.length) return false;
      size = Number(view.getBigUint64(at + 8));
    } else if (size === 0) {
      return true; // the last box runs to the end of the file
    }
    if (size < 8) return false;
    at += size;
  }
  return at === bytes.length;
}
