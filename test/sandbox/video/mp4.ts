import { encodeH264 } from './h264';

/**
 * A minimal MP4 writer for the sandboxes' videos: one H.264 video track (see h264.ts), every frame
 * a sync sample, in one chunk. Layout: ftyp, mdat, moov (ISO/IEC 14496-12 boxes, version 0; the
 * avcC box of ISO/IEC 14496-15). Chromium and Electron play it, seek in it, and step its frames.
 */

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length + 8, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, head, ...payload);
}

function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => out.writeUInt32BE(value >>> 0, index * 4));
  return out;
}

function u16(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 2);
  values.forEach((value, index) => out.writeUInt16BE(value & 0xffff, index * 2));
  return out;
}

/** The identity transformation matrix every mvhd/tkhd carries. */
const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

/** The frame rate's time scale: whole ticks for 2, 24, 25 and 30 frames a second. */
const TIMESCALE = 600;

/**
 * An MP4 of these RGB frames (3 bytes a pixel, `width` × `height`, both even) at `fps`, encoded as
 * H.264 Baseline (avc1.42C0xx).
 */
export function muxH264Mp4(frames: readonly Uint8Array[], width: number, height: number, fps: number): Buffer {
  const stream = encodeH264(frames, width, height);
  const delta = Math.round(TIMESCALE / fps);
  const duration = delta * frames.length;
  // Each sample: its picture's NAL unit behind a 4-byte length (avcC's lengthSizeMinusOne = 3).
  const samples = stream.pictures.map((picture) => Buffer.concat([u32(picture.length), picture]));

  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'latin1'));
  const mdat = box('mdat', ...samples);
  const firstSampleOffset = ftyp.length + 8;

  const avcC = box(
    'avcC',
    Buffer.from([1, stream.profile, 0xc0, stream.level, 0xff, 0xe1]),
    u16(stream.sps.length),
    stream.sps,
    Buffer.from([1]),
    u16(stream.pps.length),
    stream.pps,
  );
  const compressor = Buffer.alloc(32);
  const name = 'Shootline sandbox H.264';
  compressor.writeUInt8(name.length, 0);
  compressor.write(name, 1, 'latin1');
  const sampleEntry = box(
    'avc1',
    Buffer.alloc(6),
    u16(1), // data_reference_index
    u16(0, 0),
    u32(0, 0, 0),
    u16(width, height),
    u32(0x00480000, 0x00480000, 0), // 72 dpi, reserved
    u16(1), // frame_count
    compressor,
    u16(0x0018, 0xffff), // depth, pre_defined
    avcC,
  );

  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry),
    fullBox('stts', 0, 0, u32(1, frames.length, delta)),
    // No stss: every sample is a sync sample (each an IDR picture).
    fullBox('stsc', 0, 0, u32(1, 1, frames.length, 1)),
    fullBox('stsz', 0, 0, u32(0, samples.length, ...samples.map((sample) => sample.length))),
    fullBox('stco', 0, 0, u32(1, firstSampleOffset)),
  );
  const minf = box(
    'minf',
    fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)),
    box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
    stbl,
  );
  const mdia = box(
    'mdia',
    fullBox('mdhd', 0, 0, u32(0, 0, TIMESCALE, duration), u16(0x55c4, 0)), // language "und"
    fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), u32(0, 0, 0), Buffer.from('VideoHandler\0', 'latin1')),
    minf,
  );
  const tkhd = fullBox(
    'tkhd',
    0,
    3, // enabled, in movie
    u32(0, 0, 1, 0, duration, 0, 0),
    u16(0, 0, 0, 0),
    MATRIX,
    u32(width * 0x10000, height * 0x10000),
  );
  const mvhd = fullBox(
    'mvhd',
    0,
    0,
    u32(0, 0, TIMESCALE, duration, 0x00010000),
    u16(0x0100, 0),
    u32(0, 0),
    MATRIX,
    u32(0, 0, 0, 0, 0, 0, 2),
  );
  const moov = box('moov', mvhd, box('trak', tkhd, mdia));
  return Buffer.concat([ftyp, mdat, moov]);
}
