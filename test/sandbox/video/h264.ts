/**
 * A minimal H.264 writer for the sandboxes' videos: Chromium cannot decode Motion-JPEG, and these
 * machines have no ffmpeg. Every macroblock is I_PCM (ISO/IEC 14496-10 §7.3.5: its samples stored
 * as they are), every frame an IDR picture of the Baseline profile: no transform, no prediction,
 * no entropy coding beyond the few Exp-Golomb numbers of the headers. Large files for their size,
 * but real H.264 that any decoder plays, seeks and steps through frame by frame.
 */

/** Writes bits most significant first, with the Exp-Golomb codes the headers use. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private count = 0;

  bit(value: number): void {
    this.current = (this.current << 1) | (value & 1);
    this.count += 1;
    if (this.count === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.count = 0;
    }
  }

  bits(value: number, length: number): void {
    for (let shift = length - 1; shift >= 0; shift -= 1) this.bit((value >>> shift) & 1);
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(value: number): void {
    const coded = value + 1;
    const length = 32 - Math.clz32(coded);
    this.bits(0, length - 1);
    this.bits(coded, length);
  }

  /** se(v): signed Exp-Golomb. */
  se(value: number): void {
    this.ue(value <= 0 ? -2 * value : 2 * value - 1);
  }

  get aligned(): boolean {
    return this.count === 0;
  }

  alignWithZeros(): void {
    while (this.count !== 0) this.bit(0);
  }

  /** Whole bytes, written at once (the writer must be aligned). */
  raw(bytes: Uint8Array): void {
    if (!this.aligned) throw new Error('raw bytes need a byte-aligned writer');
    for (const byte of bytes) this.bytes.push(byte);
  }

  /** rbsp_trailing_bits: a stop bit, then zeros to the byte's end. */
  finish(): Buffer {
    this.bit(1);
    this.alignWithZeros();
    return Buffer.from(this.bytes);
  }
}

/** A NAL unit: its header byte, then the payload with emulation prevention bytes (00 00 0x → 00 00 03 0x). */
function nal(refIdc: number, type: number, rbsp: Buffer): Buffer {
  const out: number[] = [(refIdc << 5) | type];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

export interface H264Stream {
  /** The sequence and picture parameter sets, as NAL units (for the MP4's avcC box). */
  sps: Buffer;
  pps: Buffer;
  /** One IDR picture per frame, each a NAL unit. */
  pictures: Buffer[];
  profile: number;
  level: number;
}

const PROFILE_BASELINE = 66;

/**
 * Encodes RGB frames (3 bytes a pixel, `width` × `height`, both even) as H.264 Baseline, every
 * frame an IDR picture of I_PCM macroblocks. Colours go to BT.601 limited-range YCbCr 4:2:0.
 */
export function encodeH264(frames: readonly Uint8Array[], width: number, height: number): H264Stream {
  if (width % 2 !== 0 || height % 2 !== 0 || width <= 0 || height <= 0) {
    throw new Error(`H.264 4:2:0 needs an even size, not ${width}×${height}`);
  }
  const mbWidth = Math.ceil(width / 16);
  const mbHeight = Math.ceil(height / 16);
  // Level by the frame's macroblocks: 3.0 up to 1,620 (720×576), 4.0 up to 8,192 (2048×1024), else 5.1.
  const macroblocks = mbWidth * mbHeight;
  const level = macroblocks <= 1620 ? 30 : macroblocks <= 8192 ? 40 : 51;

  const sps = new BitWriter();
  sps.bits(PROFILE_BASELINE, 8);
  sps.bits(0b11000000, 8); // constraint_set0 and set1: Constrained Baseline
  sps.bits(level, 8);
  sps.ue(0); // seq_parameter_set_id
  sps.ue(0); // log2_max_frame_num_minus4
  sps.ue(2); // pic_order_cnt_type 2: output order is decoding order
  sps.ue(1); // max_num_ref_frames
  sps.bit(0); // gaps_in_frame_num_value_allowed_flag
  sps.ue(mbWidth - 1);
  sps.ue(mbHeight - 1);
  sps.bit(1); // frame_mbs_only_flag
  sps.bit(1); // direct_8x8_inference_flag
  const cropRight = (mbWidth * 16 - width) / 2;
  const cropBottom = (mbHeight * 16 - height) / 2;
  if (cropRight > 0 || cropBottom > 0) {
    sps.bit(1);
    sps.ue(0);
    sps.ue(cropRight);
    sps.ue(0);
    sps.ue(cropBottom);
  } else {
    sps.bit(0);
  }
  // VUI, only to say that no picture waits for a later one: without it a decoder may hold one
  // frame back, and a paused player that seeks shows the frame before the one asked for.
  sps.bit(1); // vui_parameters_present_flag
  sps.bits(0, 5); // aspect ratio, overscan, video signal type, chroma location, timing: not given
  sps.bits(0, 2); // no NAL or VCL HRD parameters
  sps.bit(0); // pic_struct_present_flag
  sps.bit(1); // bitstream_restriction_flag
  sps.bit(1); // motion_vectors_over_pic_boundaries_flag
  sps.ue(0); // max_bytes_per_pic_denom
  sps.ue(0); // max_bits_per_mb_denom
  sps.ue(15); // log2_max_mv_length_horizontal
  sps.ue(15); // log2_max_mv_length_vertical
  sps.ue(0); // max_num_reorder_frames
  sps.ue(1); // max_dec_frame_buffering

  const pps = new BitWriter();
  pps.ue(0); // pic_parameter_set_id
  pps.ue(0); // seq_parameter_set_id
  pps.bit(0); // entropy_coding_mode_flag: CAVLC
  pps.bit(0); // bottom_field_pic_order_in_frame_present_flag
  pps.ue(0); // num_slice_groups_minus1
  pps.ue(0); // num_ref_idx_l0_default_active_minus1
  pps.ue(0); // num_ref_idx_l1_default_active_minus1
  pps.bit(0); // weighted_pred_flag
  pps.bits(0, 2); // weighted_bipred_idc
  pps.se(0); // pic_init_qp_minus26
  pps.se(0); // pic_init_qs_minus26
  pps.se(0); // chroma_qp_index_offset
  pps.bit(1); // deblocking_filter_control_present_flag: the slices turn it off
  pps.bit(0); // constrained_intra_pred_flag
  pps.bit(0); // redundant_pic_cnt_present_flag

  const pictures = frames.map((rgb, index) => {
    if (rgb.length !== width * height * 3) throw new Error(`frame ${index} is not ${width}×${height} RGB`);
    const { y, cb, cr, lumaStride, chromaStride } = toYcbcr(rgb, width, height, mbWidth * 16, mbHeight * 16);
    const slice = new BitWriter();
    slice.ue(0); // first_mb_in_slice
    slice.ue(7); // slice_type: I, as every slice of the picture
    slice.ue(0); // pic_parameter_set_id
    slice.bits(0, 4); // frame_num (an IDR picture's is 0)
    slice.ue(index % 2); // idr_pic_id: two IDR pictures in a row must differ
    slice.bit(0); // no_output_of_prior_pics_flag
    slice.bit(0); // long_term_reference_flag
    slice.se(0); // slice_qp_delta
    slice.ue(1); // disable_deblocking_filter_idc: stored samples stay as they are
    const block = new Uint8Array(384);
    for (let mbY = 0; mbY < mbHeight; mbY += 1) {
      for (let mbX = 0; mbX < mbWidth; mbX += 1) {
        slice.ue(25); // mb_type I_PCM
        slice.alignWithZeros(); // pcm_alignment_zero_bit
        let at = 0;
        for (let row = 0; row < 16; row += 1) {
          const start = (mbY * 16 + row) * lumaStride + mbX * 16;
          block.set(y.subarray(start, start + 16), at);
          at += 16;
        }
        for (const plane of [cb, cr]) {
          for (let row = 0; row < 8; row += 1) {
            const start = (mbY * 8 + row) * chromaStride + mbX * 8;
            block.set(plane.subarray(start, start + 8), at);
            at += 8;
          }
        }
        slice.raw(block);
      }
    }
    return nal(3, 5, slice.finish());
  });

  return { sps: nal(3, 7, sps.finish()), pps: nal(3, 8, pps.finish()), pictures, profile: PROFILE_BASELINE, level };
}

/**
 * RGB to BT.601 limited-range YCbCr, 4:2:0 (each chroma sample the mean of its 2×2 block), padded
 * to whole macroblocks by repeating the last row and column. Samples are kept from 1 to 254: the
 * first edition of the standard forbade a PCM sample of 0.
 */
function toYcbcr(rgb: Uint8Array, width: number, height: number, paddedWidth: number, paddedHeight: number) {
  const y = new Uint8Array(paddedWidth * paddedHeight);
  const cb = new Uint8Array((paddedWidth / 2) * (paddedHeight / 2));
  const cr = new Uint8Array(cb.length);
  const clamp = (value: number): number => Math.min(254, Math.max(1, Math.round(value)));
  const pixel = (x: number, row: number): [number, number, number] => {
    const at = (Math.min(row, height - 1) * width + Math.min(x, width - 1)) * 3;
    return [rgb[at] ?? 0, rgb[at + 1] ?? 0, rgb[at + 2] ?? 0];
  };
  for (let row = 0; row < paddedHeight; row += 1) {
    for (let x = 0; x < paddedWidth; x += 1) {
      const [r, g, b] = pixel(x, row);
      y[row * paddedWidth + x] = clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    }
  }
  const chromaStride = paddedWidth / 2;
  for (let row = 0; row < paddedHeight / 2; row += 1) {
    for (let x = 0; x < chromaStride; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = pixel(x * 2 + dx, row * 2 + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      cb[row * chromaStride + x] = clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      cr[row * chromaStride + x] = clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return { y, cb, cr, lumaStride: paddedWidth, chromaStride };
}
