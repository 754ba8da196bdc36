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

/** Bits of lookahead in the fast Huffman table: most codes in photos are this short. */
const FAST_BITS = 9;

/**
 * Largest progressive image (in 8×8 blocks over all components) for which the nonzero-coefficient
 * mask is kept (8 bytes a block, so 32 MB here; about 170 MP at 4:2:0). Beyond it the AC refinement
 * scans, the only ones that need the mask, are skipped and the result is 'partial'.
 */
const MAX_MASK_BLOCKS = 1 << 22;

export function checkJpegScan(bytes: Uint8Array): JpegScanResult {
  try {
    return parseJpeg(bytes);
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
  /**
   * Indexed by the next FAST_BITS bits: (symbol << 8) | (code length + extra bits), or 0 for a longer
   * (or invalid) code. The extra bits (the symbol's low nibble) are folded in so that one subtraction
   * consumes a whole coefficient.
   */
  fast: Uint16Array;
  /** Per code length 0..16: the largest code of that length, or -1 when there is none. */
  maxCode: Int32Array;
  /** Per code length: add to a code of that length to get its index in `symbols`. */
  symbolOffset: Int32Array;
  symbols: Uint8Array;
}

/** Stands in for tables a scan kind never reads (e.g. the AC table of a DC scan); it decodes nothing. */
const NO_TABLE: HuffmanTable = {
  fast: new Uint16Array(1 << FAST_BITS),
  maxCode: new Int32Array(17).fill(-1),
  symbolOffset: new Int32Array(17),
  symbols: new Uint8Array(0),
};

/** Builds the canonical code of T.81 Annex C from the 16 code-length counts and the symbols. */
function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array, offset: number): HuffmanTable {
  const fast = new Uint16Array(1 << FAST_BITS);
  const maxCode = new Int32Array(17).fill(-1);
  const symbolOffset = new Int32Array(17);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1] ?? 0;
    symbolOffset[length] = index - code;
    for (let n = 0; n < count; n++, code++, index++) {
      if (length > FAST_BITS) continue;
      const symbol = symbols[index] ?? 0;
      const entry = (symbol << 8) | (length + (symbol & 15));
      // Every FAST_BITS-bit pattern that starts with this code decodes to it.
      const shift = FAST_BITS - length;
      fast.fill(entry, code << shift, (code + 1) << shift);
    }
    if (count > 0) maxCode[length] = code - 1;
    // As in libjpeg: a code may not be all ones, and the codes must fit in their length.
    if (code >= 1 << length) throw corrupt('bad Huffman table (code lengths over-subscribed)', offset);
    code <<= 1;
  }
  return { fast, maxCode, symbolOffset, symbols };
}

// ---------------------------------------------------------------------------------------------
// Bit reader over the entropy-coded data of one scan (or one restart interval)

/**
 * Reads bits MSB first straight from the file's bytes, undoing byte stuffing (0xFF 0x00). When it
 * meets a marker or the end of the data it does not read past it: it feeds zero bits instead and
 * counts them in `padBits`, so that the scan loop can tell, once per MCU, whether the MCU used bits
 * that are not in the file (bits < padBits).
 */
class BitReader {
  /** Up to 32 buffered bits; only the low `bits` of them are unread. */
  acc = 0;
  bits = 0;
  /** How many of the buffered bits are made-up zeros past the end of the data. */
  padBits = 0;
  /** Where the data stopped: the 0xFF of a marker, or data.length. -1 while data still flows. */
  stopAt = -1;

  constructor(
    private readonly data: Uint8Array,
    /** Next byte of the file to read. */
    public pos: number,
  ) {}

  /** Tops the buffer up to more than 24 bits, so a short code and its extra bits need no second fill. */
  fill(): void {
    const data = this.data;
    let { acc, bits, pos } = this;
    while (bits <= 24) {
      if (this.stopAt < 0) {
        const byte = pos < data.length ? data[pos]! : -1;
        if (byte >= 0 && byte !== 0xff) {
          acc = (acc << 8) | byte;
          pos++;
          bits += 8;
          continue;
        }
        if (byte === 0xff && pos + 1 < data.length && data[pos + 1] === 0x00) {
          acc = (acc << 8) | 0xff;
          pos += 2;
          bits += 8;
          continue;
        }
        // A marker (or fill bytes before one), or the end of the file.
        this.stopAt = pos;
      }
      acc <<= 8;
      bits += 8;
      this.padBits += 8;
    }
    this.acc = acc;
    this.bits = bits;
    this.pos = pos;
  }

  /**
   * Decodes one Huffman symbol and skips the extra bits its low nibble counts (a magnitude category:
   * their value does not matter here). -1 when the next 16 bits start with no code of the table.
   */
  decode(table: HuffmanTable): number {
    if (this.bits <= 24) this.fill();
    const entry = table.fast[(this.acc >>> (this.bits - FAST_BITS)) & ((1 << FAST_BITS) - 1)]!;
    if (entry !== 0) {
      // At most 9 + 15 bits, and the buffer holds at least 25.
      this.bits -= entry & 0xff;
      return entry >> 8;
    }
    // A code longer than FAST_BITS. Canonical codes of one length are consecutive and every longer
    // code is numerically larger than all shorter ones, so comparing with each length's largest code
    // finds the length (T.81 F.2.2.3).
    const next16 = (this.acc >>> (this.bits - 16)) & 0xffff;
    for (let length = FAST_BITS + 1; length <= 16; length++) {
      const code = next16 >>> (16 - length);
      if (code <= table.maxCode[length]!) {
        this.bits -= length;
        const symbol = table.symbols[table.symbolOffset[length]! + code] ?? 0;
        this.skip(symbol & 15);
        return symbol;
      }
    }
    return -1;
  }

  /** Skips n ≤ 16 bits (a coefficient's magnitude bits, whose value does not matter here). */
  skip(n: number): void {
    if (this.bits < n) this.fill();
    this.bits -= n;
  }

  /** Reads n ≤ 16 bits as an unsigned number. */
  read(n: number): number {
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  /** Whole bytes read ahead into the buffer but not used: data the MCUs did not account for. */
  unusedBytes(): number {
    return (this.bits - this.padBits) >> 3;
  }

  /** Approximate file offset of the next unread bit, for error reports. */
  offset(): number {
    return this.pos - ((this.bits - this.padBits) >> 3);
  }

  /** Starts over at `pos`, after a restart marker. */
  restartAt(pos: number): void {
    this.pos = pos;
    this.acc = 0;
    this.bits = 0;
    this.padBits = 0;
    this.stopAt = -1;
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
  /** Per coded block, two Uint32 words: bit k set when AC coefficient k (zigzag order) is nonzero. */
  mask: Uint32Array | null;
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
  let mask: Uint32Array | null = null;
  if (progressive && !arithmetic) {
    if (blocks <= MAX_MASK_BLOCKS) mask = new Uint32Array(2 * blocks);
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
  return new ScanDecoder(data, frame, scan, state.restartInterval, end).run();
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
  /** Blocks left in the current end-of-band run (progressive AC scans). */
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
    start: number,
  ) {
    this.reader = new BitReader(data, start);
    this.maxDcSize = frame.precision + 3;
    this.maxAcSize = frame.precision + 2;
  }

  run(): { pos: number; stray: number } {
    const { scan, frame, reader } = this;
    const single = scan.components.length === 1 ? scan.components[0] : undefined;
    // A scan of one component is not interleaved: one block per MCU over the component's own blocks.
    this.total = single ? single.component.blocksWide * single.component.blocksHigh : frame.mcusWide * frame.mcusHigh;
    let nextRestart = 0;
    for (let mcu = 0; mcu < this.total; mcu++) {
      this.mcu = mcu;
      if (this.restartInterval > 0 && mcu > 0 && mcu % this.restartInterval === 0) {
        this.restart(nextRestart);
        nextRestart = (nextRestart + 1) & 7;
      }
      if (single) this.decodeBlock(single, mcu);
      else for (const scanComponent of scan.components) this.decodeBlocks(scanComponent);
      if (reader.bits < reader.padBits) throw this.stopped();
    }
    return { pos: reader.pos, stray: reader.unusedBytes() };
  }

  private decodeBlocks(scanComponent: ScanComponent): void {
    for (let n = 0; n < scanComponent.blocks; n++) this.decodeBlock(scanComponent, -1);
  }

  /** `block` is the block's index in its component, known (and needed) only in one-component scans. */
  private decodeBlock(scanComponent: ScanComponent, block: number): void {
    switch (this.scan.kind) {
      case 'sequential':
        return this.sequentialBlock(scanComponent);
      case 'dcFirst':
        return this.dcFirstBlock(scanComponent);
      case 'dcRefine':
        // One correction bit per block, whatever it says.
        return this.reader.skip(1);
      case 'acFirst':
        return this.acFirstBlock(scanComponent, block);
      case 'acRefine':
        return this.acRefineBlock(scanComponent, block);
    }
  }

  /** T.81 F.2.2: a DC difference, then AC run/size symbols until EOB or coefficient 63. */
  private sequentialBlock({ dc, ac }: ScanComponent): void {
    const reader = this.reader;
    const size = reader.decode(dc);
    if (size < 0) throw this.bad('invalid Huffman code (DC)');
    if (size > this.maxDcSize) throw this.bad(`DC difference of category ${size}`);
    const maxAcSize = this.maxAcSize;
    for (let k = 1; k < 64; k++) {
      const symbol = reader.decode(ac);
      if (symbol < 0) throw this.bad('invalid Huffman code (AC)');
      const run = symbol >> 4;
      const bits = symbol & 15;
      if (bits === 0) {
        // EOB. libjpeg also takes the undefined symbols 0x10..0xE0 as EOB; so do we, to accept what it shows.
        if (run !== 15) return;
        k += 15; // ZRL: sixteen zeros
        if (k > 63) throw this.bad('run of zeros past coefficient 63');
        continue;
      }
      k += run;
      if (k > 63) throw this.bad('AC coefficient index past 63');
      if (bits > maxAcSize) throw this.bad(`AC coefficient of category ${bits}`);
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
   */
  private acRefineBlock({ ac, component }: ScanComponent, block: number): void {
    const reader = this.reader;
    const mask = this.frame.mask!;
    const { start, end } = this.scan;
    const at = component.maskBase + 2 * block;
    let low = mask[at]!;
    let high = mask[at + 1]!;
    let k = start;
    if (this.eobRun === 0) {
      for (; k <= end; k++) {
        const symbol = reader.decode(ac);
        if (symbol < 0) throw this.bad('invalid Huffman code (AC refinement)');
        let run = symbol >> 4;
        const bits = symbol & 15;
        if (bits === 0 && run !== 15) {
          this.eobRun = (1 << run) + (run > 0 ? reader.read(run) : 0);
          break;
        }
        // decode() has skipped the new coefficient's sign bit.
        if (bits > 1) throw this.bad(`refinement coefficient of category ${bits}`);
        // Walk over `run` zero coefficients (ZRL: over sixteen), stopping on the next zero one.
        for (;;) {
          if (k > end) throw this.bad('refinement run past the end of the spectral band');
          // A coefficient that is already nonzero has a correction bit here; a zero one counts down the run.
          const nonzero = ((k < 32 ? low >>> k : high >>> (k - 32)) & 1) !== 0;
          if (nonzero) reader.skip(1);
          else if (run-- === 0) break;
          k++;
        }
        if (bits === 1) {
          if (k < 32) low |= 1 << k;
          else high |= 1 << (k - 32);
        }
      }
    }
    if (this.eobRun > 0) {
      // The rest of the band is in an end-of-band run: only correction bits of nonzero coefficients.
      let corrections = countBits(low & bandMask(k, end, 0)) + countBits(high & bandMask(k, end, 32));
      for (; corrections > 16; corrections -= 16) reader.skip(16);
      reader.skip(corrections);
      this.eobRun--;
    }
    mask[at] = low;
    mask[at + 1] = high;
  }

  /** Expects restart marker RSTn (n = `index`) where the restart interval says, and starts after it. */
  private restart(index: number): void {
    const { mcu, total } = this;
    const reader = this.reader;
    const marker = nextMarker(this.data, reader.pos, reader.unusedBytes());
    if (!marker) throw truncated(`data ends in scan ${this.scan.number} at MCU ${mcu} of ${total}`, reader.pos);
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
    let codeAt = reader.stopAt;
    while (codeAt < data.length && data[codeAt] === 0xff) codeAt++;
    const where = `in scan ${this.scan.number} at MCU ${mcu} of ${total}`;
    if (codeAt >= data.length) return truncated(`data ends ${where}`, reader.stopAt);
    const code = data[codeAt] ?? 0;
    const name = code >= 0xd0 && code <= 0xd7 ? `restart marker RST${code - 0xd0}` : `marker ${hex(code)}`;
    return corrupt(`${name} ${where}: the scan's data ends early`, reader.stopAt);
  }

  private bad(what: string): ScanError {
    // Made-up zero bits past a marker or the end can decode into nonsense: then the real cause is
    // where the data stopped.
    if (this.reader.stopAt >= 0 && this.reader.bits - this.reader.padBits < 16) return this.stopped();
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
