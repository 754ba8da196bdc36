/**
 * Reads back the sandboxes' own videos (mp4.ts, h264.ts) for tests: the frames as RGB, the size and
 * the frame rate. It knows only what those writers write (I_PCM pictures of the Baseline profile in
 * one chunk); anything else is refused, not guessed.
 */

interface Box {
  type: string;
  start: number;
  end: number;
}

function boxes(bytes: Buffer, start: number, end: number): Box[] {
  const found: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    const size = bytes.readUInt32BE(at);
    if (size < 8 || at + size > end) throw new Error(`a box at ${at} runs past its parent`);
    found.push({ type: bytes.toString('latin1', at + 4, at + 8), start: at + 8, end: at + size });
    at += size;
  }
  return found;
}

function child(bytes: Buffer, parent: Box, type: string, skip = 0): Box {
  const found = boxes(bytes, parent.start + skip, parent.end).find((candidate) => candidate.type === type);
  if (!found) throw new Error(`no ${type} box in ${parent.type}`);
  return found;
}

class BitReader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  bit(): number {
    const byte = this.bytes[this.at >> 3];
    if (byte === undefined) throw new Error('read past the end of a NAL unit');
    const value = (byte >> (7 - (this.at & 7))) & 1;
    this.at += 1;
    return value;
  }

  bits(length: number): number {
    let value = 0;
    for (let index = 0; index < length; index += 1) value = value * 2 + this.bit();
    return value;
  }

  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) zeros += 1;
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  align(): void {
    this.at = Math.ceil(this.at / 8) * 8;
  }

  take(length: number): Buffer {
    if (this.at % 8 !== 0) throw new Error('bytes read off a byte boundary');
    const start = this.at / 8;
    this.at += length * 8;
    return this.bytes.subarray(start, start + length);
  }
}

/** The payload of a NAL unit without its header byte and its emulation prevention bytes. */
function rbsp(unit: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of unit.subarray(1)) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

export interface SandboxVideo {
  codec: 'avc1';
  width: number;
  height: number;
  fps: number;
  /** Each frame as RGB, 3 bytes a pixel. */
  frames: Uint8Array[];
}

export function readSandboxVideo(bytes: Buffer): SandboxVideo {
  const top = boxes(bytes, 0, bytes.length);
  const moov = top.find((candidate) => candidate.type === 'moov');
  if (!moov) throw new Error('no moov box');
  const trak = child(bytes, moov, 'trak');
  const mdia = child(bytes, trak, 'mdia');
  const mdhd = child(bytes, mdia, 'mdhd');
  const timescale = bytes.readUInt32BE(mdhd.start + 12);
  const stbl = child(bytes, child(bytes, mdia, 'minf'), 'stbl');
  const stsd = child(bytes, stbl, 'stsd');
  const entry = boxes(bytes, stsd.start + 8, stsd.end)[0];
  if (entry?.type !== 'avc1') throw new Error(`the video is ${entry?.type ?? 'nothing'}, not avc1`);
  const avcC = child(bytes, entry, 'avcC', 78);
  const spsLength = bytes.readUInt16BE(avcC.start + 6);
  const sps = new BitReader(rbsp(bytes.subarray(avcC.start + 8, avcC.start + 8 + spsLength)));
  sps.bits(24);
  sps.ue();
  sps.ue();
  if (sps.ue() !== 2) throw new Error('not a sandbox stream (picture order count type)');
  sps.ue();
  sps.bit();
  const mbWidth = sps.ue() + 1;
  const mbHeight = sps.ue() + 1;
  sps.bits(2);
  const crop = sps.bit() === 1 ? [sps.ue(), sps.ue(), sps.ue(), sps.ue()] : [0, 0, 0, 0];
  const width = mbWidth * 16 - 2 * ((crop[0] ?? 0) + (crop[1] ?? 0));
  const height = mbHeight * 16 - 2 * ((crop[2] ?? 0) + (crop[3] ?? 0));

  const stts = child(bytes, stbl, 'stts');
  const fps = timescale / bytes.readUInt32BE(stts.start + 12);
  const stsz = child(bytes, stbl, 'stsz');
  const count = bytes.readUInt32BE(stsz.start + 8);
  let offset = bytes.readUInt32BE(child(bytes, stbl, 'stco').start + 8);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index += 1) {
    const size = bytes.readUInt32BE(stsz.start + 12 + index * 4);
    const unit = bytes.subarray(offset + 4, offset + size);
    offset += size;
    frames.push(readPicture(rbsp(unit), mbWidth, mbHeight, width, height));
  }
  return { codec: 'avc1', width, height, fps, frames };
}

function readPicture(payload: Buffer, mbWidth: number, mbHeight: number, width: number, height: number): Uint8Array {
  const reader = new BitReader(payload);
  reader.ue();
  reader.ue();
  reader.ue();
  reader.bits(4);
  reader.ue();
  reader.bits(2);
  reader.ue(); // slice_qp_delta (0: its se code is the ue code of 0)
  reader.ue();
  const stride = mbWidth * 16;
  const y = new Uint8Array(stride * mbHeight * 16);
  const cb = new Uint8Array((stride / 2) * mbHeight * 8);
  const cr = new Uint8Array(cb.length);
  for (let mbY = 0; mbY < mbHeight; mbY += 1) {
    for (let mbX = 0; mbX < mbWidth; mbX += 1) {
      if (reader.ue() !== 25) throw new Error('not an I_PCM macroblock');
      reader.align();
      const block = reader.take(384);
      for (let row = 0; row < 16; row += 1)
        y.set(block.subarray(row * 16, row * 16 + 16), (mbY * 16 + row) * stride + mbX * 16);
      for (let row = 0; row < 8; row += 1) {
        const at = (mbY * 8 + row) * (stride / 2) + mbX * 8;
        cb.set(block.subarray(256 + row * 8, 256 + row * 8 + 8), at);
        cr.set(block.subarray(320 + row * 8, 320 + row * 8 + 8), at);
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  const clamp = (value: number): number => Math.min(255, Math.max(0, Math.round(value)));
  for (let row = 0; row < height; row += 1) {
    for (let x = 0; x < width; x += 1) {
      const luma = (y[row * stride + x] ?? 16) - 16;
      const chroma = (row >> 1) * (stride / 2) + (x >> 1);
      const u = (cb[chroma] ?? 128) - 128;
      const v = (cr[chroma] ?? 128) - 128;
      const at = (row * width + x) * 3;
      rgb[at] = clamp(1.164 * luma + 1.596 * v);
      rgb[at + 1] = clamp(1.164 * luma - 0.392 * u - 0.813 * v);
      rgb[at + 2] = clamp(1.164 * luma + 2.017 * u);
    }
  }
  return rgb;
}
