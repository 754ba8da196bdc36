/**
 * A minimal MP4 writer for the sandbox's listing reels: one video track of Motion-JPEG frames.
 * There is no ffmpeg on these machines, and a video output should still be a real, parseable MP4
 * (ffmpeg and VLC play it; a test can pull the frames back out), not a few placeholder bytes.
 * Layout: ftyp, mdat (all frames, one chunk), moov (ISO/IEC 14496-12 boxes, version 0).
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

export function muxMjpegMp4(frames: readonly Buffer[], width: number, height: number, fps: number): Buffer {
  const timescale = 1000;
  const delta = Math.round(timescale / fps);
  const duration = delta * frames.length;

  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2mp41', 'latin1'));
  const mdat = box('mdat', ...frames);
  const firstFrameOffset = ftyp.length + 8;

  const compressor = Buffer.alloc(32);
  const name = 'Motion JPEG';
  compressor.writeUInt8(name.length, 0);
  compressor.write(name, 1, 'latin1');
  // QuickTime's 'jpeg' sample entry: ffmpeg maps it to MJPEG without an esds descriptor.
  const sampleEntry = box(
    'jpeg',
    Buffer.alloc(6),
    u16(1), // data_reference_index
    u16(0, 0),
    u32(0, 0, 0),
    u16(width, height),
    u32(0x00480000, 0x00480000, 0),
    u16(1),
    compressor,
    u16(0x0018, 0xffff),
  );

  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), sampleEntry),
    fullBox('stts', 0, 0, u32(1, frames.length, delta)),
    fullBox('stsc', 0, 0, u32(1, 1, frames.length, 1)),
    fullBox('stsz', 0, 0, u32(0, frames.length, ...frames.map((frame) => frame.length))),
    fullBox('stco', 0, 0, u32(1, firstFrameOffset)),
  );
  const minf = box(
    'minf',
    fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)),
    box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
    stbl,
  );
  const mdia = box(
    'mdia',
    fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4, 0)), // language "und"
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
    u32(0, 0, timescale, duration, 0x00010000),
    u16(0x0100, 0),
    u32(0, 0),
    MATRIX,
    u32(0, 0, 0, 0, 0, 0, 2),
  );
  const moov = box('moov', mvhd, box('trak', tkhd, mdia));
  return Buffer.concat([ftyp, mdat, moov]);
}
