import { openRegularFile } from '../regular-file';
/**
 * What a video variant is, read from its MP4 boxes (ISO/IEC 14496-12 and -15): codec, size,
 * duration and frame rate, for the compare view's line ("0:05 · 1280 × 720 · H.264 High") and its
 * frame step. Reads only box headers and the few fields it needs, never the samples; a file that
 * is not an MP4 it can read answers null (the view then shows what the player itself knows).
 */

export interface VideoInfo {
  /** RFC 6381 codec string, e.g. `avc1.42C01E`, or the sample entry's type when it is not H.264. */
  codec: string;
  /** In words: "H.264 Constrained Baseline, level 3.0", "HEVC", "Motion JPEG". */
  codecLabel: string;
  width: number;
  height: number;
  durationMs: number;
  /** Frames a second (the mean over the track), or null when the track does not say. */
  frameRate: number | null;
}

interface Box {
  type: string;
  start: number;
  end: number;
}

/** Nested boxes this reader walks; each holds boxes and nothing before them. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/** More boxes than any real file has where this reader looks: a crafted file cannot keep it reading. */
const MAX_BOXES = 4_096;

const H264_PROFILES: Readonly<Record<number, string>> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4',
};

const OTHER_CODECS: Readonly<Record<string, string>> = {
  hvc1: 'HEVC',
  hev1: 'HEVC',
  av01: 'AV1',
  vp09: 'VP9',
  mp4v: 'MPEG-4 Visual',
  jpeg: 'Motion JPEG',
  mjpa: 'Motion JPEG',
};

export function readVideoInfo(bytes: Uint8Array): VideoInfo | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return read(buffer);
  } catch {
    return null;
  }
}

function children(buffer: Buffer, start: number, end: number, budget: { left: number }): Box[] {
  const found: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    if ((budget.left -= 1) < 0) throw new Error('too many boxes');
    let size = buffer.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      // A 64-bit size (large mdat boxes): the boxes this reader wants are far smaller.
      size = Number(buffer.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) break;
    found.push({ type: buffer.toString('latin1', at + 4, at + 8), start: at + header, end: at + size });
    at += size;
  }
  return found;
}

function read(buffer: Buffer): VideoInfo | null {
  const budget = { left: MAX_BOXES };
  const moov = children(buffer, 0, buffer.length, budget).find((box) => box.type === 'moov');
  if (!moov) return null;
  for (const trak of children(buffer, moov.start, moov.end, budget).filter((box) => box.type === 'trak')) {
    const info = readTrack(buffer, trak, budget);
    if (info) return info;
  }
  return null;
}

function find(buffer: Buffer, parent: Box, path: readonly string[], budget: { left: number }): Box | null {
  let current: Box = parent;
  for (const type of path) {
    if (!CONTAINERS.has(current.type) && current !== parent) return null;
    const next = children(buffer, current.start, current.end, budget).find((box) => box.type === type);
    if (!next) return null;
    current = next;
  }
  return current;
}

function readTrack(buffer: Buffer, trak: Box, budget: { left: number }): VideoInfo | null {
  const hdlr = find(buffer, trak, ['mdia', 'hdlr'], budget);
  if (!hdlr || buffer.toString('latin1', hdlr.start + 8, hdlr.start + 12) !== 'vide') return null;
  const mdhd = find(buffer, trak, ['mdia', 'mdhd'], budget);
  const stsd = find(buffer, trak, ['mdia', 'minf', 'stbl', 'stsd'], budget);
  if (!mdhd || !stsd) return null;
  // A box too short for the fields it names is not read into its neighbour.
  if (mdhd.end - mdhd.start < 24 || stsd.end - stsd.start < 16) return null;
  const version = buffer.readUInt8(mdhd.start);
  const timescale = buffer.readUInt32BE(mdhd.start + (version === 1 ? 20 : 12));
  const duration =
    version === 1 ? Number(buffer.readBigUInt64BE(mdhd.start + 24)) : buffer.readUInt32BE(mdhd.start + 16);
  if (timescale === 0) return null;
  const [entry] = children(buffer, stsd.start + 8, stsd.end, budget);
  if (!entry) return null;
  const width = buffer.readUInt16BE(entry.start + 24);
  const height = buffer.readUInt16BE(entry.start + 26);
  const stts = find(buffer, trak, ['mdia', 'minf', 'stbl', 'stts'], budget);
  let samples = 0;
  if (stts) {
    const count = buffer.readUInt32BE(stts.start + 4);
    for (let index = 0; index < count && stts.start + 16 + index * 8 <= stts.end; index += 1) {
      samples += buffer.readUInt32BE(stts.start + 8 + index * 8);
    }
  }
  return {
    ...codecOf(buffer, entry, budget),
    width,
    height,
    durationMs: Math.round((duration / timescale) * 1000),
    frameRate: plausibleRate(samples > 0 && duration > 0 ? samples / (duration / timescale) : null),
  };
}

/** A rate a player can step by (a crafted file may claim anything): 1 to 240 frames a second, else unknown. */
function plausibleRate(rate: number | null): number | null {
  if (rate === null || !Number.isFinite(rate) || rate < 1 || rate > 240) return null;
  return Math.round(rate * 1000) / 1000;
}

function codecOf(buffer: Buffer, entry: Box, budget: { left: number }): { codec: string; codecLabel: string } {
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    // The visual sample entry's fixed fields take 78 bytes; its boxes (avcC…) follow.
    const avcC = children(buffer, entry.start + 78, entry.end, budget).find((box) => box.type === 'avcC');
    if (avcC) {
      const profile = buffer.readUInt8(avcC.start + 1);
      const constraints = buffer.readUInt8(avcC.start + 2);
      const level = buffer.readUInt8(avcC.start + 3);
      const hex = (value: number): string => value.toString(16).toUpperCase().padStart(2, '0');
      const constrained = profile === 66 && (constraints & 0x40) !== 0 ? 'Constrained ' : '';
      const name = H264_PROFILES[profile] ?? `profile ${profile}`;
      return {
        codec: `${entry.type}.${hex(profile)}${hex(constraints)}${hex(level)}`,
        codecLabel: `H.264 ${constrained}${name}, level ${(level / 10).toFixed(1)}`,
      };
    }
    return { codec: entry.type, codecLabel: 'H.264' };
  }
  return { codec: entry.type, codecLabel: OTHER_CODECS[entry.type] ?? entry.type };
}

/** The moov box is small (sample tables); a larger one is not a file this reader should load. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;

/**
 * The same, from a file: only the top-level box headers are read until the `moov` box, which is
 * read whole (wherever it sits: writers put it before or after the media data). Null when the file
 * holds no readable video track.
 */
export async function readVideoFileInfo(file: string): Promise<VideoInfo | null> {
  // Never a FIFO or a device (a read would wait for ever), and only the size it had when opened.
  const { handle, size } = await openRegularFile(file);
  try {
    const header = Buffer.alloc(16);
    for (let at = 0, boxes = 0; at + 8 <= size && boxes < MAX_BOXES; boxes += 1) {
      await handle.read(header, 0, 16, at);
      let length = header.readUInt32BE(0);
      if (length === 1) length = Number(header.readBigUInt64BE(8));
      else if (length === 0) length = size - at;
      if (length < 8) return null;
      if (header.toString('latin1', 4, 8) === 'moov') {
        if (length > MAX_MOOV_BYTES || at + length > size) return null;
        const moov = Buffer.alloc(length);
        await handle.read(moov, 0, length, at);
        return readVideoInfo(moov);
      }
      at += length;
    }
    return null;
  } finally {
    await handle.close();
  }
}
