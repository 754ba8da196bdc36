/**
 * A strict check of a JPEG's entropy-coded data, run before a JPEG is handed to sharp.
 *
 * libjpeg-turbo (under sharp/libvips) is forgiving on purpose: an invalid Huffman code becomes zeros,
 * a marker met inside a scan ends it early, and the picture comes out half garbage with at most a
 * warning. Here every MCU of every scan is entropy-decoded, with no dequantisation, IDCT or colour
 * conversion: Huffman symbols are decoded, their extra bits skipped, and coefficient positions
 * counted, so that anything a real decoder would have to paper over is reported instead.
 *
 * Written from the JPEG specification (ITU-T T.81: Annex B for the syntax, Annex F for sequential
 * and Annex G for progressive Huffman coding).
 */

export type JpegScanResult =
  | { ok: true; checked: 'full' | 'partial'; skipped?: string }
  | { ok: false; kind: 'truncated' | 'corrupt' | 'unsupported_format'; detail: string; offset?: number };

/**
 * How many stray bytes may sit between the end of a segment or of a scan's last MCU and the next
 * marker. libjpeg only warns ("extraneous bytes before marker"), and a stray byte or two from a
 * sloppy encoder is harmless; more than this means the data does not end where the MCU count says.
 */
const MAX_STRAY_BYTES = 4;

/**
 * Bits of lookahead in the Huffman lookup tables. Codes up to this long (nearly all of them in photos)
 * are decoded with one table access; longer ones are searched for. 12 bits make 16 KB tables for
 * sequential scans (see buildLookup), which still sit in the L1 cache next to each other.
 */
const LOOKUP_BITS = 12;
const LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;

/**
 * Fewest unread bits the buffered reader BitReader reports as holds after a top-up, before each
 * symbol: a symbol's code and extra bits that fit in this are read with no top-up in between.
 */
const FILLED_BITS = 25;

/**
 * Largest progressive image (in 8×8 blocks over all components) for which the nonzero-coefficient
 * mask is kept (8 bytes a block, so 32 MB here; about 170 MP at 4:2:0). Beyond it the AC refinement
 * scans, the only ones that need the mask, are skipped and the result is 'partial'.
 */
const MAX_MASK_BLOCKS = 1 << 22;

export function checkJpegScan(bytes: Uint8Array): JpegScanResult {
  try {
    // A plain Uint8Array over the same memory, as callers often pass a Node Buffer (a subclass): then
    // every access is to one kind of array, and indexOf and subarray are V8's own (not Buffer's).
    return parseJpeg(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const result: JpegScanResult = { ok: false, kind: error.kind, detail: error.message };
    if (error.offset !== undefined) result.offset = error.offset;
    return result;
  }
}

class ScanError extends Error {
  constructor(
    readonly kind: 'truncated' | 'corrupt' | 'unsupported_format',
    detail: string,
    readonly offset?: number,
  ) {
    super(detail);
  }
}

const truncated = (detail: string, offset?: number): ScanError => new ScanError('truncated', detail, offset);
const corrupt = (detail: string, offset?: number): ScanError => new ScanError('corrupt', detail, offset);
const unsupported = (detail: string, offset?: number): ScanError => new ScanError('unsupported_format', detail, offset);
const hex = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// Huffman tables

interface HuffmanTable {
  /** Indexed by the next LOOKUP_BITS bits: (code length << 8) | symbol, or 0 for a longer (or invalid) code. */
  codes: Uint16Array;
  /** Per code length 0..16: the largest code of that length, or -1 when there is none. */
  maxCode: Int32Array;
  /** Per code length: add to a code of that length to get its index in `symbols`. */
  symbolOffset: Int32Array;
  symbols: Uint8Array;
}

/** Stands in for tables a scan kind never reads (e.g. the AC table of a DC scan); it decodes nothing. */
const NO_TABLE: HuffmanTable = {
  codes: new Uint16Array(1 << LOOKUP_BITS),
  maxCode: new Int32Array(17).fill(-1),
  symbolOffset: new Int32Array(17),
  symbols: new Uint8Array(0),
};

/** Builds the canonical code of T.81 Annex C from the 16 code-length counts and the symbols. */
function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array, offset: number): HuffmanTable {
  const codes = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(17).fill(-1);
  const symbolOffset = new Int32Array(17);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1] ?? 0;
    symbolOffset[length] = index - code;
    for (let n = 0; n < count; n++, code++, index++) {
      if (length > LOOKUP_BITS) continue;
      // Every LOOKUP_BITS-bit pattern that starts with this code decodes to it.
      const shift = LOOKUP_BITS - length;
      codes.fill((length << 8) | (symbols[index] ?? 0), code << shift, (code + 1) << shift);
    }
    if (count > 0) maxCode[length] = code - 1;
    // As in libjpeg: a code may not be all ones, and the codes must fit in their length.
    if (code >= 1 << length) throw corrupt('bad Huffman table (code lengths over-subscribed)', offset);
    code <<= 1;
  }
  return { codes, maxCode, symbolOffset, symbols };
}

/**
 * Decodes the code at the start of the next 16 bits: (code length << 8) | symbol, or -1 when they
 * start with no code of the table. The symbol's extra bits are left to the caller.
 */
function decodeCode(table: HuffmanTable, next16: number): number {
  const entry = table.codes[next16 >>> (16 - LOOKUP_BITS)]!;
  if (entry !== 0) return entry;
  // A longer code. Canonical codes of one length are consecutive and every longer code is numerically
  // larger than all shorter ones, so comparing with each length's largest code finds the length
  // (T.81 F.2.2.3).
  const { maxCode } = table;
  for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
    const code = next16 >>> (16 - length);
    if (code <= maxCode[length]!) return (length << 8) | (table.symbols[table.symbolOffset[length]! + code] ?? 0);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Reading the entropy-coded data
//
// Checking a photo is nearly all Huffman decoding, and the loop is bound by the latency of one step
// feeding the position of the next. So the data is not read byte by byte through a buffer that is
// topped up between symbols (with a test for 0xFF at every byte): a scan's data is first copied with
// the byte stuffing undone (EntropySegment), after which the next bits are always one unaligned
// 32-bit read at the current bit position, and a bit position is all the state a decoding step
// needs (BitReader keeps one more number, for its reports).

/**
 * Most bytes one MCU can use past the end of its data: 10 blocks of 64 symbols, each a 16-bit code and
 * 15 extra bits. The copy has this many zero bytes after the data, plus 4 for the last 32-bit read, so
 * that a scan that runs past its data reads zero bits (as a decoder makes up) until the end of the
 * MCU, where the scan loop notices.
 */
const MAX_MCU_BYTES = (10 * 64 * (16 + 15)) / 8;
const PADDING = MAX_MCU_BYTES + 4;

/**
 * The entropy-coded data of a scan, or of one restart interval, with each stuffed 0xFF 0x00 pair made
 * one 0xFF byte, so that bit positions in it are positions in the bit stream. It stops at a marker
 * (0xFF and anything but 0x00) or at the end of the file, and zeros follow (see PADDING). One copy
 * buffer serves all the scans of a file, one after the other.
 */
class EntropySegment {
  private readonly bytes: Uint8Array;
  /** Over `bytes`, for big-endian 32-bit reads. */
  readonly view: DataView;
  /** File offset of the first byte. */
  private start = 0;
  /** Bytes of data (a stuffed pair is one). */
  length = 0;
  /** File offset where the data stops: the 0xFF of a marker, or the end of the file. */
  stop = 0;
  /** Stuffed pairs in the data. */
  private stuffed = 0;

  /**
   * The same memory as `data`, as a Buffer for its copy(), which on Node 24 copies a range natively
   * with no object made (Node 20's made a view, as before; Electron's Node was not checked here):
   * `bytes.set(data.subarray(…))` made a view object per 0xFF byte in the data (one in 256 bytes of
   * entropy-coded data), about half of all the garbage ingest made.
   */
  private readonly source: Buffer;

  constructor(private readonly data: Uint8Array) {
    this.source = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.bytes = scratchBytes(data.length + PADDING);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Copies the data from file offset `start` up to where it stops. */
  load(start: number): void {
    const { data, bytes } = this;
    let length = 0;
    let stuffed = 0;
    let pos = start;
    for (;;) {
      // Copy up to the next 0xFF at native speed, then see whether it is stuffed data or a marker.
      const ff = data.indexOf(0xff, pos);
      const to = ff < 0 ? data.length : ff;
      this.source.copy(bytes, length, pos, to);
      length += to - pos;
      pos = to;
      if (pos + 1 >= data.length || data[pos + 1] !== 0x00) break;
      bytes[length++] = 0xff;
      stuffed++;
      pos += 2;
    }
    bytes.fill(0, length, length + PADDING);
    this.start = start;
    this.length = length;
    this.stop = pos;
    this.stuffed = stuffed;
  }

  /** The file offset after the first `n` bytes of data (n ≤ length). */
  fileOffset(n: number): number {
    // Each 0xFF byte of the copy was two bytes in the file. Counted from the end, as callers are near it.
    let stuffedAfter = 0;
    for (let at = n; at < this.length; at++) if (this.bytes[at] === 0xff) stuffedAfter++;
    return this.start + n + this.stuffed - stuffedAfter;
  }
}

/**
 * The copy's memory, reused from one check to the next: ingest checks photo after photo, and a new
 * buffer the size of each file was most of the garbage the checks made. The check runs start to end
 * without yielding, so one buffer serves every check on this thread; one larger than a 48 MB file
 * is not kept.
 */
let scratch: Uint8Array | null = null;
const MAX_KEPT_SCRATCH = 48 * 1024 * 1024;

function scratchBytes(length: number): Uint8Array {
  if (scratch && scratch.length >= length) return scratch.subarray(0, length);
  const made = new Uint8Array(length);
  scratch = length <= MAX_KEPT_SCRATCH ? made : null;
  return made;
}

/** BitReader.filledAt before the first top-up: nothing loaded. */
const NOT_FILLED = -32;

/**
 * BitReader.filledAt after a skip or read of n bits with `consumed` bits read: the buffered reader tops
 * up first if it holds fewer than n. (Scan loops that keep the position in local variables use these
 * two functions as BitReader's methods do.)
 */
function filledForSkip(consumed: number, filledAt: number, n: number): number {
  return 8 * ((filledAt + 32) >> 3) - consumed < n ? consumed : filledAt;
}

/**
 * BitReader.filledAt after n skips of one bit each with `consumed` bits read: the buffered reader tops
 * up only when it is empty, loading 4 bytes each time.
 */
function filledForEach(consumed: number, filledAt: number, n: number): number {
  const emptyAt = 8 * ((filledAt + 32) >> 3);
  const end = consumed + n;
  return end > emptyAt ? emptyAt + (((end - emptyAt - 1) >> 5) << 5) : filledAt;
}

/**
 * Reads an EntropySegment's bits MSB first, and zero bits past its end.
 *
 * What it reports (how many bytes of data are left over where a scan ends, the offset given in an
 * error, and whether an error near the end is put down to the data ending) is that of a reader with a
 * byte buffer, which this checker used to be, and which libjpeg's is like: it loads whole bytes ahead,
 * topping up to at least FILLED_BITS unread bits before each symbol and whenever a skip or read needs
 * more than it holds. Only where that reader last topped up (`filledAt`) is kept for it: a top-up with
 * p bits consumed leaves ⌈(p + 25) / 8⌉ bytes loaded, made-up zero bytes past the data included.
 */
class BitReader {
  /** Bits read. */
  consumed = 0;
  /** `consumed` at the buffered reader's last top-up. */
  filledAt = NOT_FILLED;

  /** The segment's view, kept here to save a load per symbol. */
  private readonly view: DataView;

  constructor(readonly segment: EntropySegment) {
    this.view = segment.view;
  }

  /**
   * The next 32 bits (the top 25 or more of them real bits, or zeros past the data). Read signed:
   * after the shift they are the same bits as unsigned, and a signed 32-bit value is never boxed,
   * where an unsigned one over 2^31 made a heap number per read until the scan loop was optimized.
   */
  private peek(): number {
    return this.view.getInt32(this.consumed >>> 3) << (this.consumed & 7);
  }

  /** Bytes the buffered reader has loaded. */
  private loaded(): number {
    return (this.filledAt + 32) >> 3;
  }

  /**
   * Decodes one Huffman symbol and skips the extra bits its low nibble counts (a magnitude category:
   * their value does not matter here). -1 when the next 16 bits start with no code of the table.
   */
  decode(table: HuffmanTable): number {
    // The buffered reader tops up before each symbol (if it holds less than FILLED_BITS, but with at
    // most 32 bits loaded it then ends up with the same bytes as if it had).
    this.filledAt = this.consumed;
    const code = decodeCode(table, this.peek() >>> 16);
    if (code < 0) return -1;
    this.consumed += code >> 8;
    this.skipBits(code & 15);
    return code & 0xff;
  }

  /** Skips n ≤ 16 bits (a coefficient's magnitude bits, whose value does not matter here). */
  skipBits(n: number): void {
    this.filledAt = filledForSkip(this.consumed, this.filledAt, n);
    this.consumed += n;
  }

  /** Reads n ≤ 16 bits as an unsigned number. */
  read(n: number): number {
    const value = n === 0 ? 0 : this.peek() >>> (32 - n);
    this.skipBits(n);
    return value;
  }

  /** Skips n bits as n calls of skipBits(1) would. */
  skipEach(n: number): void {
    this.filledAt = filledForEach(this.consumed, this.filledAt, n);
    this.consumed += n;
  }

  /** Whether bits past the end of the data were read (made-up zeros). */
  pastEnd(): boolean {
    return this.consumed > 8 * this.segment.length;
  }

  /** Where the data stops (see EntropySegment.stop) once the buffered reader has got there, else -1. */
  stopAt(): number {
    return this.loaded() > this.segment.length ? this.segment.stop : -1;
  }

  /** Whether the buffered reader has got to where the data stops, and fewer than 16 real bits are left. */
  nearStop(): boolean {
    return this.stopAt() >= 0 && 8 * this.segment.length - this.consumed < 16;
  }

  /** Whole bytes of data loaded ahead but not used: data the MCUs did not account for. */
  unusedBytes(): number {
    return (8 * Math.min(this.loaded(), this.segment.length) - this.consumed) >> 3;
  }

  /** The file offset of the next byte the buffered reader would load. */
  pos(): number {
    const loaded = this.loaded();
    return loaded > this.segment.length ? this.segment.stop : this.segment.fileOffset(loaded);
  }

  /** Approximate file offset of the next unread bit, for error reports. */
  offset(): number {
    return this.pos() - this.unusedBytes();
  }

  /** Starts over at file offset `pos`: at the start of a scan, or after a restart marker. */
  restartAt(pos: number): void {
    this.segment.load(pos);
    this.consumed = 0;
    this.filledAt = NOT_FILLED;
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup tables for sequential scans
//
// Nearly every photo is a sequential (baseline) JPEG, whose blocks are mostly short symbols (a few
// bits for a code and its magnitude bits), so ScanDecoder.runSequential decodes several at a time.

/**
 * Entry layout of the sequential lookup tables, indexed by the next `width` bits (LOOKUP_BITS, or
 * fewer for a small scan: see runSequential):
 *
 *   bits 0-4    bits used by the entry's symbols: their codes and extra bits
 *   bits 5-9    where the entry's last symbol starts, in bits from the entry's start
 *   bit 10      the last symbol is an EOB
 *   bits 11-17  "need": the entry applies only when k + need ≤ 64, k being the next coefficient
 *   bits 18-24  coefficients the entry moves past (the DC counts as one)
 *
 * An entry holds the symbols whose codes lie wholly within those bits (their extra bits
 * may run past them, as only their count matters). A non-EOB symbol moves k by its run + 1 (a ZRL,
 * run 15, by 16), and must end at or before coefficient 63, so the entry needs k + advance ≤ 64; a
 * final EOB must come before the block's end, so it adds one to the need. Where the first code is
 * longer than that, or a symbol is out of range (an error, or a magnitude category that only
 * 12-bit data can have), there is no entry: its need is NO_ENTRY, which no k passes, and the loop
 * decodes one symbol the long way instead, with every check and error message.
 */
const NO_ENTRY = 127 << 11;

/**
 * Fills the table of 2^width entries at `into[at...]` (width ≤ LOOKUP_BITS): for the first lookup of a
 * block when `dc` is given (its DC difference, then AC symbols), else for the lookups after it (AC
 * symbols).
 */
function buildLookup(
  into: Int32Array,
  at: number,
  width: number,
  dc: HuffmanTable | null,
  ac: HuffmanTable,
  maxDcSize: number,
  maxAcSize: number,
): void {
  for (let pattern = 0; pattern < 1 << width; pattern++) {
    const window = pattern << (LOOKUP_BITS - width);
    let used = 0;
    let last = 0;
    let advance = 0;
    let eob = 0;
    let table = dc ?? ac;
    let isDc = dc !== null;
    while (used < width) {
      // The bits past `used` are shifted out and zeros come in: a code is known when it ends within them.
      const code = table.codes[(window << used) & LOOKUP_MASK]!;
      const length = code >> 8;
      if (code === 0 || used + length > width) break;
      const symbol = code & 0xff;
      const extra = symbol & 15;
      // A symbol whose code and extra bits do not fit in FILLED_BITS together is left to the long way
      // too, as the buffered reader would top up between them; no valid one at 8 bits comes near that.
      if (length + extra > FILLED_BITS) break;
      if (isDc) {
        if (symbol > maxDcSize) break;
        advance = 1;
      } else {
        const run = symbol >> 4;
        if (extra === 0 && run !== 15) {
          last = used;
          used += length;
          eob = 1;
          break;
        }
        if (extra > maxAcSize || advance + run + 1 > 64) break;
        advance += run + 1;
      }
      last = used;
      used += length + extra;
      table = ac;
      isDc = false;
    }
    into[at + pattern] =
      advance + eob === 0 ? NO_ENTRY : used | (last << 5) | (eob << 10) | ((advance + eob) << 11) | (advance << 18);
  }
}

// ---------------------------------------------------------------------------------------------
// Markers

interface Marker {
  code: number;
  /** Offset of the 0xFF that starts the marker. */
  at: number;
  /** Offset just after the marker code. */
  next: number;
  /** Bytes that were neither a marker nor fill before it (see MAX_STRAY_BYTES). */
  stray: number;
}

/**
 * Finds the next marker from `pos`, skipping 0xFF fill bytes and counting stray bytes on the way
 * (added to `stray` already counted by the caller). Returns null at the end of the data, for the
 * caller to say what was missing.
 */
function nextMarker(data: Uint8Array, pos: number, stray: number): Marker | null {
  while (pos < data.length) {
    if (data[pos] !== 0xff) {
      stray++;
      pos++;
      continue;
    }
    let codeAt = pos + 1;
    while (codeAt < data.length && data[codeAt] === 0xff) codeAt++;
    if (codeAt >= data.length) return null;
    const code = data[codeAt] ?? 0;
    if (code === 0x00) {
      // 0xFF 0x00 is stuffed data, not a marker.
      stray += codeAt + 1 - pos;
      pos = codeAt + 1;
      continue;
    }
    return { code, at: pos, next: codeAt + 1, stray };
  }
  return null;
}

/** Skips entropy-coded data that is not checked, up to the next marker that is not a restart marker. */
function skipEntropyData(data: Uint8Array, pos: number): number {
  for (; pos + 1 < data.length; pos++) {
    if (data[pos] !== 0xff) continue;
    const code = data[pos + 1] ?? 0;
    if (code !== 0x00 && code !== 0xff && (code < 0xd0 || code > 0xd7)) return pos;
  }
  return data.length;
}

const readUint16 = (data: Uint8Array, pos: number): number => ((data[pos] ?? 0) << 8) | (data[pos + 1] ?? 0);

// ---------------------------------------------------------------------------------------------
// Frame and parser state

interface Component {
  id: number;
  h: number;
  v: number;
  quantTable: number;
  /** Blocks covering the component's own samples: the layout of a scan of this component alone. */
  blocksWide: number;
  blocksHigh: number;
  /** First word of this component's blocks in the nonzero-coefficient mask (progressive only). */
  maskBase: number;
  /** Seen in a scan (sequential), or in a DC first scan (progressive). */
  coded: boolean;
  /** Progressive: per coefficient, the point transform (Al) of its last scan, or -1 before its first. */
  approximation: Int8Array;
}

interface Frame {
  progressive: boolean;
  arithmetic: boolean;
  precision: number;
  components: Component[];
  /** MCUs of an interleaved scan. */
  mcusWide: number;
  mcusHigh: number;
  /**
   * Per coded block, two 32-bit words: bit k set when AC coefficient k (zigzag order) is nonzero.
   * Signed, as JavaScript's bit operations are, so the scan loops work on small integers only.
   */
  mask: Int32Array | null;
}

interface ParserState {
  data: Uint8Array;
  frame: Frame | null;
  dcTables: (HuffmanTable | undefined)[];
  acTables: (HuffmanTable | undefined)[];
  /** Bit n set once quantisation table n is defined. */
  quantTables: number;
  restartInterval: number;
  scans: number;
  /** Parts not checked, for a 'partial' result. */
  skipped: Set<string>;
  /** The copy buffer for the scans' data, made at the first scan that is decoded. */
  segment: EntropySegment | null;
}

function parseJpeg(data: Uint8Array): JpegScanResult {
  if (data.length < 2) throw truncated('file too short to be a JPEG', 0);
  if (data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('no SOI marker at the start: not a JPEG', 0);
  const state: ParserState = {
    data,
    frame: null,
    dcTables: [],
    acTables: [],
    quantTables: 0,
    restartInterval: 0,
    scans: 0,
    skipped: new Set(),
    segment: null,
  };
  let pos = 2;
  let stray = 0;
  for (;;) {
    const marker = nextMarker(data, pos, stray);
    stray = 0;
    if (!marker) {
      throw truncated(
        state.scans > 0 ? 'data ends after the last scan without an EOI marker' : 'data ends in the header',
        pos,
      );
    }
    const { code } = marker;
    if (marker.stray > MAX_STRAY_BYTES) {
      throw corrupt(`${marker.stray} extraneous bytes before marker ${hex(code)}`, marker.at);
    }
    if (code === 0xd9) return finish(state, marker.at);
    // Parameterless markers that may stand alone: TEM and stray restart markers (libjpeg ignores both).
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      pos = marker.next;
      continue;
    }
    if (code === 0xd8) throw corrupt('second SOI marker', marker.at);
    if (marker.next + 2 > data.length) throw truncated(`data ends inside marker ${hex(code)}`, marker.at);
    const length = readUint16(data, marker.next);
    if (length < 2) throw corrupt(`marker ${hex(code)} has an invalid length ${length}`, marker.at);
    const body = marker.next + 2;
    const end = marker.next + length;
    if (end > data.length) throw truncated(`data ends inside marker ${hex(code)}`, marker.at);
    pos = end;

    if (code === 0xc4) readHuffmanTables(state, body, end);
    else if (code === 0xdb) readQuantTables(state, body, end);
    else if (code === 0xdd) {
      if (length !== 4) throw corrupt('DRI marker has a bad length', marker.at);
      state.restartInterval = readUint16(data, body);
    } else if (code === 0xc0 || code === 0xc1 || code === 0xc2 || code === 0xc9 || code === 0xca) {
      readFrame(state, code, body, end, marker.at);
    } else if (code === 0xc3) throw unsupported('lossless JPEG (SOF3)', marker.at);
    else if ((code >= 0xc5 && code <= 0xc7) || (code >= 0xcd && code <= 0xcf) || code === 0xde || code === 0xdf) {
      throw unsupported(`hierarchical JPEG (${hex(code)})`, marker.at);
    } else if (code === 0xcb) throw unsupported('lossless arithmetic-coded JPEG (SOF11)', marker.at);
    else if (code === 0xc8) throw unsupported('a reserved JPEG extension (JPG marker)', marker.at);
    else if (code === 0xda) {
      const after = readScan(state, body, end, marker.at);
      pos = after.pos;
      stray = after.stray;
    } else if (code < 0xc0) throw corrupt(`unknown marker ${hex(code)}`, marker.at);
    // Anything else (APPn, COM, JPGn, DAC, DNL) carries nothing to check.
  }
}

function finish(state: ParserState, at: number): JpegScanResult {
  const { frame } = state;
  if (!frame || state.scans === 0) throw corrupt('EOI marker before any image data', at);
  for (const component of frame.components) {
    if (!component.coded) throw truncated(`EOI marker before component ${component.id} was coded`, at);
  }
  if (state.skipped.size === 0) return { ok: true, checked: 'full' };
  return { ok: true, checked: 'partial', skipped: [...state.skipped].join(', ') };
}

function readHuffmanTables(state: ParserState, pos: number, end: number): void {
  const { data } = state;
  while (pos < end) {
    const classAndId = data[pos] ?? 0;
    const tableClass = classAndId >> 4;
    const id = classAndId & 15;
    if (tableClass > 1 || id > 3) throw corrupt(`bad Huffman table id ${hex(classAndId)}`, pos);
    if (pos + 17 > end) throw corrupt('DHT marker too short', pos);
    const counts = data.subarray(pos + 1, pos + 17);
    let total = 0;
    for (const count of counts) total += count;
    if (total > 256 || pos + 17 + total > end) throw corrupt('bad Huffman table (symbol count)', pos);
    const table = buildHuffmanTable(counts, data.slice(pos + 17, pos + 17 + total), pos);
    (tableClass === 0 ? state.dcTables : state.acTables)[id] = table;
    pos += 17 + total;
  }
}

function readQuantTables(state: ParserState, pos: number, end: number): void {
  const { data } = state;
  while (pos < end) {
    const precisionAndId = data[pos] ?? 0;
    const id = precisionAndId & 15;
    const size = precisionAndId >> 4 === 0 ? 64 : 128;
    if (precisionAndId >> 4 > 1 || id > 3) throw corrupt(`bad quantisation table id ${hex(precisionAndId)}`, pos);
    if (pos + 1 + size > end) throw corrupt('DQT marker too short', pos);
    state.quantTables |= 1 << id;
    pos += 1 + size;
  }
}

function readFrame(state: ParserState, code: number, pos: number, end: number, at: number): void {
  const { data } = state;
  if (state.frame) throw corrupt('more than one SOF marker', at);
  const precision = data[pos] ?? 0;
  const height = readUint16(data, pos + 1);
  const width = readUint16(data, pos + 3);
  const count = data[pos + 5] ?? 0;
  if (end - pos !== 6 + 3 * count || count === 0) throw corrupt('SOF marker has a bad length', at);
  if (height === 0) throw unsupported('a height given by a DNL marker', at);
  if (width === 0) throw corrupt('image width is 0', at);
  if (count > 4) throw unsupported(`${count} colour components`, at);
  const baseline = code === 0xc0;
  if (precision !== 8 && (baseline || precision !== 12)) {
    throw unsupported(`${precision}-bit samples${baseline ? ' in a baseline JPEG' : ''}`, at);
  }

  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const at3 = pos + 6 + 3 * i;
    const id = data[at3] ?? 0;
    const sampling = data[at3 + 1] ?? 0;
    const h = sampling >> 4;
    const v = sampling & 15;
    const quantTable = data[at3 + 2] ?? 0;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`component ${id} has bad sampling factors`, at);
    if (quantTable > 3) throw corrupt(`component ${id} has a bad quantisation table id`, at);
    if (components.some((other) => other.id === id)) throw corrupt(`component id ${id} appears twice`, at);
    const approximation = new Int8Array(64).fill(-1);
    components.push({ id, h, v, quantTable, blocksWide: 0, blocksHigh: 0, maskBase: 0, coded: false, approximation });
  }
  const maxH = Math.max(...components.map((component) => component.h));
  const maxV = Math.max(...components.map((component) => component.v));
  let blocks = 0;
  for (const component of components) {
    component.blocksWide = Math.ceil(Math.ceil((width * component.h) / maxH) / 8);
    component.blocksHigh = Math.ceil(Math.ceil((height * component.v) / maxV) / 8);
    component.maskBase = 2 * blocks;
    blocks += component.blocksWide * component.blocksHigh;
  }

  const progressive = code === 0xc2 || code === 0xca;
  const arithmetic = code === 0xc9 || code === 0xca;
  let mask: Int32Array | null = null;
  if (progressive && !arithmetic) {
    if (blocks <= MAX_MASK_BLOCKS) mask = new Int32Array(2 * blocks);
    else state.skipped.add('progressive AC refinement (image too large)');
  }
  // Arithmetic coding is rare and its decoder is a different machine; the markers are still walked
  // (so a missing EOI is caught) but the coded data is not checked, and the result says so.
  if (arithmetic) state.skipped.add('arithmetic-coded scans');
  state.frame = {
    progressive,
    arithmetic,
    precision,
    components,
    mcusWide: Math.ceil(width / (8 * maxH)),
    mcusHigh: Math.ceil(height / (8 * maxV)),
    mask,
  };
}

// ---------------------------------------------------------------------------------------------
// Scans

type ScanKind = 'sequential' | 'dcFirst' | 'dcRefine' | 'acFirst' | 'acRefine';

interface ScanComponent {
  component: Component;
  dc: HuffmanTable;
  ac: HuffmanTable;
  /** Blocks of this component in one MCU. */
  blocks: number;
}

interface Scan {
  kind: ScanKind;
  number: number;
  components: ScanComponent[];
  /** Spectral band and successive approximation (T.81 B.2.3). */
  start: number;
  end: number;
  low: number;
}

/** Reads an SOS header and checks the entropy-coded data after it. Returns where the data ended. */
function readScan(state: ParserState, pos: number, end: number, at: number): { pos: number; stray: number } {
  const { data, frame } = state;
  if (!frame) throw corrupt('SOS marker before the SOF marker', at);
  state.scans++;
  const count = data[pos] ?? 0;
  if (count < 1 || count > 4 || end - pos !== 4 + 2 * count) throw corrupt('SOS marker has a bad length', at);
  const start = data[end - 3] ?? 0;
  const spectralEnd = data[end - 2] ?? 0;
  const high = (data[end - 1] ?? 0) >> 4;
  const low = (data[end - 1] ?? 0) & 15;

  let kind: ScanKind = 'sequential';
  if (frame.progressive) {
    const dc = start === 0;
    // The limits libjpeg enforces (jdphuff.c); anything else has no defined meaning.
    const bad =
      (dc ? spectralEnd !== 0 : spectralEnd < start || spectralEnd > 63 || count !== 1) ||
      (high !== 0 && low !== high - 1) ||
      low > 13;
    if (bad) throw corrupt(`scan ${state.scans} has invalid progressive parameters`, at);
    kind = dc ? (high === 0 ? 'dcFirst' : 'dcRefine') : high === 0 ? 'acFirst' : 'acRefine';
  }

  const components: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = data[pos + 1 + 2 * i] ?? 0;
    const tables = data[pos + 2 + 2 * i] ?? 0;
    const component = frame.components.find((candidate) => candidate.id === id);
    if (!component) throw corrupt(`scan ${state.scans} names unknown component ${id}`, at);
    if (components.some((other) => other.component === component)) {
      throw corrupt(`scan ${state.scans} names component ${id} twice`, at);
    }
    if ((state.quantTables & (1 << component.quantTable)) === 0) {
      throw corrupt(`quantisation table ${component.quantTable} is not defined`, at);
    }
    const needsDc = kind === 'sequential' || kind === 'dcFirst';
    const needsAc = kind === 'sequential' || kind === 'acFirst' || kind === 'acRefine';
    const dc = needsDc ? state.dcTables[tables >> 4] : NO_TABLE;
    const ac = needsAc ? state.acTables[tables & 15] : NO_TABLE;
    if (!frame.arithmetic && (!dc || !ac)) {
      const which = dc ? `AC table ${tables & 15}` : `DC table ${tables >> 4}`;
      throw corrupt(`scan ${state.scans} uses Huffman ${which}, which is not defined (no DHT)`, at);
    }
    if (frame.progressive) checkProgression(component, start, spectralEnd, high, low, state.scans, at);
    const blocks = count === 1 ? 1 : component.h * component.v;
    components.push({ component, dc: dc ?? NO_TABLE, ac: ac ?? NO_TABLE, blocks });
    if (kind === 'sequential' || kind === 'dcFirst') component.coded = true;
  }
  if (count > 1 && components.reduce((sum, scanComponent) => sum + scanComponent.blocks, 0) > 10) {
    throw corrupt(`scan ${state.scans} has more than 10 blocks per MCU`, at);
  }

  if (frame.arithmetic) return { pos: skipEntropyData(data, end), stray: 0 };
  if (kind === 'acRefine' && !frame.mask) return { pos: skipEntropyData(data, end), stray: 0 };
  const scan: Scan = { kind, number: state.scans, components, start, end: spectralEnd, low };
  state.segment ??= new EntropySegment(data);
  return new ScanDecoder(data, frame, scan, state.restartInterval, state.segment, end).run();
}

/**
 * Each progressive scan must refine exactly what the scans before it left (its Ah is the previous
 * Al of every coefficient in its band, 0 for a first scan), and AC bands come after the DC one.
 * libjpeg only warns ("Inconsistent progression sequence") and decodes nonsense; it also matters
 * here, because AC refinement reads which coefficients earlier scans made nonzero.
 */
function checkProgression(
  component: Component,
  start: number,
  end: number,
  high: number,
  low: number,
  scanNumber: number,
  at: number,
): void {
  const { approximation } = component;
  if (start > 0 && approximation[0]! < 0) {
    throw corrupt(`scan ${scanNumber} codes AC coefficients of component ${component.id} before its DC scan`, at);
  }
  for (let k = start; k <= end; k++) {
    if (high !== Math.max(approximation[k]!, 0)) {
      throw corrupt(
        `scan ${scanNumber} is out of sequence for coefficient ${k} of component ${component.id} (inconsistent progression)`,
        at,
      );
    }
    approximation[k] = low;
  }
}

/** Entropy-decodes one scan, MCU by MCU, in the layout T.81 A.2 gives it. */
class ScanDecoder {
  private readonly reader: BitReader;
  /** Blocks left in the current end-of-band run (AC first scans; runAcRefine keeps its own). */
  private eobRun = 0;
  /** Largest magnitude category a DC difference and an AC coefficient can have at this precision. */
  private readonly maxDcSize: number;
  private readonly maxAcSize: number;
  /** The MCU being decoded and the scan's MCU count, for error reports. */
  private mcu = 0;
  private total = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly frame: Frame,
    private readonly scan: Scan,
    private readonly restartInterval: number,
    segment: EntropySegment,
    start: number,
  ) {
    this.reader = new BitReader(segment);
    this.reader.restartAt(start);
    this.maxDcSize = frame.precision + 3;
    this.maxAcSize = frame.precision + 2;
  }

  run(): { pos: number; stray: number } {
    const { scan, frame, reader } = this;
    const single = scan.components.length === 1 ? scan.components[0] : undefined;
    // A scan of one component is not interleaved: one block per MCU over the component's own blocks.
    this.total = single ? single.component.blocksWide * single.component.blocksHigh : frame.mcusWide * frame.mcusHigh;
    if (scan.kind === 'sequential') return this.runSequential();
    if (scan.kind === 'acRefine') return this.runAcRefine();
    let nextRestart = 0;
    for (let mcu = 0; mcu < this.total; mcu++) {
      this.mcu = mcu;
      if (this.restartInterval > 0 && mcu > 0 && mcu % this.restartInterval === 0) {
        this.restart(nextRestart);
        nextRestart = (nextRestart + 1) & 7;
      }
      if (single) this.decodeBlock(single, mcu);
      else for (const scanComponent of scan.components) this.decodeBlocks(scanComponent);
      if (reader.pastEnd()) throw this.stopped();
    }
    return { pos: reader.pos(), stray: reader.unusedBytes() };
  }

  /**
   * A sequential scan (baseline or extended: nearly every camera and phone JPEG), with the checks of
   * T.81 F.2.2 per block: a DC difference, then AC run/size symbols until EOB or coefficient 63.
   *
   * Built for speed, with lookups that decode several symbols at once (see "Lookup tables for
   * sequential scans"). The loop keeps only small integers in local variables: `consumed`, the bit
   * position in the segment; `state`, which table the next lookup uses (2 per block of the MCU: its
   * first lookup, with the DC, and the ones after); and `k`, the block's next coefficient. A block's
   * end moves `state` on by arithmetic rather than a branch, which the processor could not predict.
   * The BitReader's position is only given back to it where its methods are used: restart markers,
   * errors and the scan's end.
   */
  private runSequential(): { pos: number; stray: number } {
    const { reader, total } = this;
    const interval = this.restartInterval;
    const { maxDcSize, maxAcSize } = this;

    // Tables for the blocks of one MCU, in order: for block b, state 2b looks up at offsets[2b] and
    // decodes with dcTables[b] the long way, state 2b + 1 at offsets[2b + 1] and with acTables[b].
    const dcTables: HuffmanTable[] = [];
    const acTables: HuffmanTable[] = [];
    for (const { dc, ac, blocks } of this.scan.components) {
      for (let n = 0; n < blocks; n++) {
        dcTables.push(dc);
        acTables.push(ac);
      }
    }
    const states = 2 * dcTables.length;
    // Building the tables takes time per entry, which a small scan (a thumbnail) would not win back:
    // it gets narrower ones, of 2^width entries with no more than a quarter as many as it has blocks.
    const blocks = total * dcTables.length;
    const width = Math.max(8, Math.min(LOOKUP_BITS, Math.floor(Math.log2(blocks)) - 2));
    const offsets = new Int32Array(states);
    // One pair of lookup tables per distinct pair of Huffman tables (Cb and Cr usually share theirs).
    const pairs: HuffmanTable[] = [];
    for (let block = 0; block < dcTables.length; block++) {
      let pair = 0;
      while (pair < pairs.length && (pairs[pair] !== dcTables[block] || pairs[pair + 1] !== acTables[block])) pair += 2;
      if (pair === pairs.length) pairs.push(dcTables[block]!, acTables[block]!);
      offsets[2 * block] = pair << width;
      offsets[2 * block + 1] = (pair + 1) << width;
    }
    const lookup = new Int32Array(pairs.length << width);
    for (let pair = 0; pair < pairs.length; pair += 2) {
      const dc = pairs[pair]!;
      const ac = pairs[pair + 1]!;
      buildLookup(lookup, pair << width, width, dc, ac, maxDcSize, maxAcSize);
      buildLookup(lookup, (pair + 1) << width, width, null, ac, maxDcSize, maxAcSize);
    }

    const { segment } = reader;
    const { view } = segment;
    let dataBits = 8 * segment.length;
    // The reader's position, and where the buffered reader it reports as would last have topped up
    // (see BitReader): kept here for speed, and given back to it for its reports.
    let consumed = reader.consumed;
    let filledAt = reader.filledAt;
    let untilRestart = interval;
    let nextRestart = 0;
    /** Set, with a break out of the MCU loop, when the data is bad. */
    let problem = '';
    let mcu = 0;
    mcus: for (; mcu < total; mcu++) {
      if (interval > 0) {
        if (untilRestart === 0) {
          reader.consumed = consumed;
          reader.filledAt = filledAt;
          this.mcu = mcu;
          this.restart(nextRestart);
          nextRestart = (nextRestart + 1) & 7;
          dataBits = 8 * segment.length;
          consumed = reader.consumed;
          filledAt = reader.filledAt;
          untilRestart = interval;
        }
        untilRestart--;
      }
      let state = 0;
      let k = 0;
      while (state < states) {
        // The next 32 bits, of which the top 25 or more are valid.
        const next = view.getInt32(consumed >>> 3) << (consumed & 7); // signed: see BitReader.peek
        const entry = lookup[offsets[state]! + (next >>> (32 - width))]!;
        if (k + ((entry >> 11) & 127) <= 64) {
          filledAt = consumed + ((entry >> 5) & 31);
          consumed += entry & 31;
          k += entry >> 18;
          // EOB, or coefficient 63 done (k = 64): the block ends and the next state is the next block's
          // first; else it is this block's second.
          const end = ((entry >> 10) & 1) | (k >> 6);
          k &= end - 1;
          state = (state | 1) + end;
          continue;
        }

        // One symbol the long way, as BitReader.decode would read it.
        const dc = k === 0;
        const code = decodeCode(dc ? dcTables[state >> 1]! : acTables[state >> 1]!, next >>> 16);
        filledAt = consumed;
        if (code < 0) {
          problem = dc ? 'invalid Huffman code (DC)' : 'invalid Huffman code (AC)';
          break mcus;
        }
        const symbol = code & 0xff;
        const extra = symbol & 15;
        consumed += code >> 8;
        filledAt = filledForSkip(consumed, filledAt, extra);
        consumed += extra;
        if (dc) {
          if (symbol > maxDcSize) {
            problem = `DC difference of category ${symbol}`;
            break mcus;
          }
          k = 1;
          state |= 1;
          continue;
        }
        const run = symbol >> 4;
        if (extra === 0 && run !== 15) {
          // EOB. libjpeg also takes the undefined symbols 0x10..0xE0 as EOB; so do we, to accept what it shows.
          k = 0;
          state = (state | 1) + 1;
          continue;
        }
        k += run; // for a ZRL (0xF0), 15 and the coefficient after: sixteen zeros
        if (k > 63) {
          problem = extra === 0 ? 'run of zeros past coefficient 63' : 'AC coefficient index past 63';
          break mcus;
        }
        if (extra > maxAcSize) {
          problem = `AC coefficient of category ${extra}`;
          break mcus;
        }
        k++;
        const end = k >> 6;
        k &= end - 1;
        state = (state | 1) + end;
      }
      // Data used past the end of the segment (made-up zero bits): the MCU is not all there.
      if (consumed > dataBits) break;
    }
    reader.consumed = consumed;
    reader.filledAt = filledAt;
    if (mcu < total) {
      this.mcu = mcu;
      throw problem === '' ? this.stopped() : this.bad(problem);
    }
    return { pos: reader.pos(), stray: reader.unusedBytes() };
  }

  private decodeBlocks(scanComponent: ScanComponent): void {
    for (let n = 0; n < scanComponent.blocks; n++) this.decodeBlock(scanComponent, -1);
  }

  /** `block` is the block's index in its component, known (and needed) only in one-component scans. */
  private decodeBlock(scanComponent: ScanComponent, block: number): void {
    switch (this.scan.kind) {
      case 'sequential':
        throw new Error('sequential scans are decoded by runSequential');
      case 'dcFirst':
        return this.dcFirstBlock(scanComponent);
      case 'dcRefine':
        // One correction bit per block, whatever it says.
        return this.reader.skipBits(1);
      case 'acFirst':
        return this.acFirstBlock(scanComponent, block);
      case 'acRefine':
        throw new Error('AC refinement scans are decoded by runAcRefine');
    }
  }

  /** T.81 G.1.2.1: the DC difference of a first progressive scan. */
  private dcFirstBlock({ dc }: ScanComponent): void {
    const size = this.reader.decode(dc);
    if (size < 0) throw this.bad('invalid Huffman code (DC)');
    if (size > this.maxDcSize) throw this.bad(`DC difference of category ${size}`);
  }

  /** T.81 G.1.2.2: the first scan of an AC band, with end-of-band runs spanning blocks. */
  private acFirstBlock({ ac, component }: ScanComponent, block: number): void {
    if (this.eobRun > 0) {
      this.eobRun--;
      return;
    }
    const reader = this.reader;
    const { start, end } = this.scan;
    let low = 0;
    let high = 0;
    for (let k = start; k <= end; k++) {
      const symbol = reader.decode(ac);
      if (symbol < 0) throw this.bad('invalid Huffman code (AC first)');
      const run = symbol >> 4;
      const bits = symbol & 15;
      if (bits === 0) {
        if (run !== 15) {
          // EOBn: this block and the next 2^run - 1 + (run extra bits) blocks end here.
          this.eobRun = (1 << run) - 1 + (run > 0 ? reader.read(run) : 0);
          break;
        }
        k += 15;
        if (k > end) throw this.bad('run of zeros past the end of the spectral band');
        continue;
      }
      k += run;
      if (k > end) throw this.bad('AC coefficient index past the end of the spectral band');
      if (bits > this.maxAcSize) throw this.bad(`AC coefficient of category ${bits}`);
      if (k < 32) low |= 1 << k;
      else high |= 1 << (k - 32);
    }
    const mask = this.frame.mask;
    if (mask && (low | high) !== 0) {
      const at = component.maskBase + 2 * block;
      mask[at] = mask[at]! | low;
      mask[at + 1] = mask[at + 1]! | high;
    }
  }

  /**
   * T.81 G.1.2.3: a refinement scan of an AC band. Coefficients already nonzero get one correction
   * bit each where the run passes them; zero ones are counted by the runs, and a new coefficient
   * (always ±1) lands on the first zero one after its run. Which are nonzero comes from the mask.
   *
   * These scans are most of the time of a progressive file, so this is written out like runSequential:
   * the reader's position is kept in local variables, and the runs are walked on the masks a word at a
   * time, not a coefficient at a time.
   */
  private runAcRefine(): { pos: number; stray: number } {
    const { reader, total, scan } = this;
    const { ac, component } = scan.components[0]!;
    const mask = this.frame.mask!;
    const { start, end } = scan;
    const interval = this.restartInterval;
    const { view } = reader.segment;
    let dataBits = 8 * reader.segment.length;
    // The band's coefficients, in the two words of a block's mask.
    const bandLow = bandMask(start, end, 0);
    const bandHigh = bandMask(start, end, 32);

    let consumed = reader.consumed;
    let filledAt = reader.filledAt;
    /** Blocks left in the current end-of-band run. */
    let eobRun = 0;
    let untilRestart = interval;
    let nextRestart = 0;
    /** Set, with a break out of the block loop, when the data is bad. */
    let problem = '';
    let block = 0;
    blocks: for (; block < total; block++) {
      if (interval > 0) {
        if (untilRestart === 0) {
          reader.consumed = consumed;
          reader.filledAt = filledAt;
          this.mcu = block;
          this.restart(nextRestart);
          nextRestart = (nextRestart + 1) & 7;
          dataBits = 8 * reader.segment.length;
          consumed = reader.consumed;
          filledAt = reader.filledAt;
          eobRun = 0;
          untilRestart = interval;
        }
        untilRestart--;
      }
      const at = component.maskBase + 2 * block;
      let low = mask[at]!;
      let high = mask[at + 1]!;
      // The band's zero coefficients from k on.
      let zerosLow = ~low & bandLow;
      let zerosHigh = ~high & bandHigh;
      let k = start;
      if (eobRun === 0) {
        for (; k <= end; k++) {
          filledAt = consumed;
          const next = view.getInt32(consumed >>> 3) << (consumed & 7);
          const code = decodeCode(ac, next >>> 16);
          if (code < 0) {
            problem = 'invalid Huffman code (AC refinement)';
            break blocks;
          }
          const symbol = code & 0xff;
          let run = symbol >> 4;
          const bits = symbol & 15;
          consumed += code >> 8;
          filledAt = filledForSkip(consumed, filledAt, bits);
          consumed += bits; // the new coefficient's sign bit
          if (bits === 0 && run !== 15) {
            // EOBn: this block and the next 2^n - 1 + (n extra bits) end their bands here.
            eobRun = 1 << run;
            if (run > 0) {
              eobRun += (view.getInt32(consumed >>> 3) << (consumed & 7)) >>> (32 - run);
              filledAt = filledForSkip(consumed, filledAt, run);
              consumed += run;
            }
            break;
          }
          if (bits > 1) {
            problem = `refinement coefficient of category ${bits}`;
            break blocks;
          }
          // Walk over `run` zero coefficients (ZRL: over sixteen) and stop on the next zero one: drop
          // the lowest `run` zeros from k on, and land on the lowest one left.
          const lowBefore = zerosLow;
          const highBefore = zerosHigh;
          for (; run > 0; run--) {
            if (zerosLow !== 0) zerosLow &= (zerosLow - 1) | 0;
            else zerosHigh &= (zerosHigh - 1) | 0;
          }
          // A new coefficient (a ZRL has none) makes the one landed on nonzero.
          const isNew = -bits | 0;
          let to: number;
          if (zerosLow !== 0) {
            const lowest = zerosLow & (-zerosLow | 0);
            to = 31 - Math.clz32(lowest);
            zerosLow ^= lowest;
            low |= lowest & isNew;
          } else if (zerosHigh !== 0) {
            const lowest = zerosHigh & (-zerosHigh | 0);
            to = 63 - Math.clz32(lowest);
            zerosHigh ^= lowest;
            high |= lowest & isNew;
          } else {
            // Not enough zeros left: the walk passes every nonzero coefficient of the band, then ends.
            const corrections = end + 1 - k - countBits(lowBefore) - countBits(highBefore);
            filledAt = filledForEach(consumed, filledAt, corrections);
            consumed += corrections;
            problem = 'refinement run past the end of the spectral band';
            break blocks;
          }
          // Every coefficient passed that was not one of the run's zeros is nonzero: a correction bit
          // each, read one at a time.
          const corrections = to - k - (symbol >> 4);
          filledAt = filledForEach(consumed, filledAt, corrections);
          consumed += corrections;
          k = to;
        }
      }
      if (eobRun > 0) {
        // The rest of the band is in an end-of-band run: only correction bits of nonzero coefficients,
        // read 16 at a time.
        let corrections = end + 1 - k - countBits(zerosLow) - countBits(zerosHigh);
        for (; corrections > 16; corrections -= 16) {
          filledAt = filledForSkip(consumed, filledAt, 16);
          consumed += 16;
        }
        filledAt = filledForSkip(consumed, filledAt, corrections);
        consumed += corrections;
        eobRun--;
      }
      mask[at] = low;
      mask[at + 1] = high;
      // Data used past the end of the segment (made-up zero bits): the block is not all there.
      if (consumed > dataBits) break;
    }
    reader.consumed = consumed;
    reader.filledAt = filledAt;
    if (block < total) {
      this.mcu = block;
      throw problem === '' ? this.stopped() : this.bad(problem);
    }
    return { pos: reader.pos(), stray: reader.unusedBytes() };
  }

  /** Expects restart marker RSTn (n = `index`) where the restart interval says, and starts after it. */
  private restart(index: number): void {
    const { mcu, total } = this;
    const reader = this.reader;
    const marker = nextMarker(this.data, reader.pos(), reader.unusedBytes());
    if (!marker) throw truncated(`data ends in scan ${this.scan.number} at MCU ${mcu} of ${total}`, reader.pos());
    if (marker.stray > MAX_STRAY_BYTES) {
      throw corrupt(
        `restart marker RST${index} missing before MCU ${mcu} of ${total} in scan ${this.scan.number} ` +
          `(${marker.stray} more bytes of data than the interval holds)`,
        reader.offset(),
      );
    }
    if (marker.code !== 0xd0 + index) {
      const found =
        marker.code >= 0xd0 && marker.code <= 0xd7 ? `RST${marker.code - 0xd0}` : `marker ${hex(marker.code)}`;
      throw corrupt(
        `expected restart marker RST${index} before MCU ${mcu} of ${total} in scan ${this.scan.number}, found ${found}`,
        marker.at,
      );
    }
    reader.restartAt(marker.next);
    this.eobRun = 0;
  }

  /** The error for an MCU that needed bits beyond a marker or the end of the data. */
  private stopped(): ScanError {
    const { data, reader, mcu, total } = this;
    const stopAt = reader.stopAt();
    let codeAt = stopAt;
    while (codeAt < data.length && data[codeAt] === 0xff) codeAt++;
    const where = `in scan ${this.scan.number} at MCU ${mcu} of ${total}`;
    if (codeAt >= data.length) return truncated(`data ends ${where}`, stopAt);
    const code = data[codeAt] ?? 0;
    const name = code >= 0xd0 && code <= 0xd7 ? `restart marker RST${code - 0xd0}` : `marker ${hex(code)}`;
    return corrupt(`${name} ${where}: the scan's data ends early`, stopAt);
  }

  private bad(what: string): ScanError {
    // Made-up zero bits past a marker or the end can decode into nonsense: then the real cause is
    // where the data stopped.
    if (this.reader.nearStop()) return this.stopped();
    return corrupt(`${what} in scan ${this.scan.number}`, this.reader.offset());
  }
}

/** Bits from..to (inclusive, coefficient indices) that fall in the 32-bit word starting at index `base`. */
function bandMask(from: number, to: number, base: number): number {
  const lo = Math.max(from - base, 0);
  const hi = Math.min(to - base, 31);
  if (lo > hi) return 0;
  return ((0xffffffff >>> (31 - hi)) & (0xffffffff << lo)) | 0;
}

function countBits(word: number): number {
  let n = word - ((word >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
