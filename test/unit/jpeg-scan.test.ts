import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkJpegScan } from '../../main/engine/imaging/jpeg-scan';

const CORPUS = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');

const read = (file: string): Buffer => fs.readFileSync(path.join(CORPUS, file));
const isJpeg = (bytes: Uint8Array): boolean => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** The corpus manifest: file and expected outcome (`ok`, `error:truncated`, …). */
const manifest = fs
  .readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file = '', expected = ''] = line.split('\t');
    return { file, expected };
  });

/** JPEGs by content, not by name: the PNG named .jpg is left out. */
const jpegRows = manifest.filter((row) => row.file !== '' && isJpeg(read(row.file)));
const wholeJpegs = jpegRows.filter((row) => row.expected === 'ok').map((row) => row.file);

interface Segment {
  code: number;
  /** Offset of the marker's 0xFF. */
  at: number;
  /** End of the marker segment (for SOS: end of its header, where the entropy-coded data starts). */
  end: number;
  /** SOS only: where the entropy-coded data ends (the next marker that is not RSTn). */
  dataEnd: number;
}

/** A plain marker walk, written separately from the checker so that the tests do not lean on it. */
function segments(bytes: Uint8Array): Segment[] {
  const found: Segment[] = [];
  let pos = 2;
  while (pos + 1 < bytes.length) {
    const code = bytes[pos + 1] ?? 0;
    if (code === 0xd9) break;
    const end = pos + 2 + (((bytes[pos + 2] ?? 0) << 8) | (bytes[pos + 3] ?? 0));
    let dataEnd = end;
    if (code === 0xda) {
      while (dataEnd + 1 < bytes.length) {
        const next = bytes[dataEnd + 1] ?? 0;
        if (bytes[dataEnd] === 0xff && next !== 0x00 && (next < 0xd0 || next > 0xd7)) break;
        dataEnd++;
      }
    }
    found.push({ code, at: pos, end, dataEnd });
    pos = dataEnd;
  }
  return found;
}

function segmentsOf(bytes: Uint8Array, code: number): Segment[] {
  return segments(bytes).filter((segment) => segment.code === code);
}

type ScanKind = 'dc first' | 'dc refine' | 'ac first' | 'ac refine';

/** The scans of a file, with the progressive kind read from each SOS header (Ss, and Ah of Ah/Al). */
function scansOf(bytes: Uint8Array): (Segment & { kind: ScanKind })[] {
  return segmentsOf(bytes, 0xda).map((scan) => {
    const count = bytes[scan.at + 4] ?? 0;
    const start = bytes[scan.at + 5 + 2 * count] ?? 0;
    const high = (bytes[scan.at + 7 + 2 * count] ?? 0) >> 4;
    const kind = start === 0 ? (high === 0 ? 'dc first' : 'dc refine') : high === 0 ? 'ac first' : 'ac refine';
    return { ...scan, kind };
  });
}

/** Offsets of the restart markers inside the entropy-coded data. */
function restartMarkers(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (const scan of segmentsOf(bytes, 0xda)) {
    for (let at = scan.end; at < scan.dataEnd; at++) {
      const next = bytes[at + 1] ?? 0;
      if (bytes[at] === 0xff && next >= 0xd0 && next <= 0xd7) offsets.push(at);
    }
  }
  return offsets;
}

/** Overwrites `count` bytes at `at` with seeded random bytes other than 0xFF, like the corpus's corrupt file. */
function scribble(bytes: Uint8Array, at: number, count: number, seed: number): Buffer {
  const copy = Buffer.from(bytes);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    copy[at + i] = (state >>> 16) % 255;
  }
  return copy;
}

const without = (bytes: Uint8Array, from: number, to: number): Buffer =>
  Buffer.concat([bytes.subarray(0, from), bytes.subarray(to)]);
const inserted = (bytes: Uint8Array, at: number, extra: number[]): Buffer =>
  Buffer.concat([bytes.subarray(0, at), Buffer.from(extra), bytes.subarray(at)]);

describe('checkJpegScan over the corpus', () => {
  it('has the kinds of JPEG the checker must handle', () => {
    expect(wholeJpegs.length).toBeGreaterThanOrEqual(25);
    expect(wholeJpegs).toEqual(
      expect.arrayContaining([
        'formats/flower_progressive.jpg',
        'formats/flower_grayscale.jpg',
        'formats/grace_hopper_cmyk_adobe-transform0.jpg',
        'photos/IMG_0001_iphone6plus_orient6_gps.JPG',
        'photos/sony-ilce6000_6000x4000.jpg',
        'names/Fotó café 写真 (1).jpg',
      ]),
    );
    for (const folder of ['orientation', 'photos', 'names']) {
      const listed = fs.readdirSync(path.join(CORPUS, folder)).map((name) => `${folder}/${name}`);
      expect(wholeJpegs).toEqual(expect.arrayContaining(listed));
    }
    expect(wholeJpegs).not.toContain('bad/png-content-with-jpg-extension_chelsea.jpg');
  });

  it.each(wholeJpegs)('%s is whole', (file) => {
    expect(checkJpegScan(read(file))).toEqual({ ok: true, checked: 'full' });
  });

  it.each(jpegRows.filter((row) => row.expected === 'error:truncated' || row.expected === 'error:corrupt'))(
    '$file is reported as $expected',
    ({ file, expected }) => {
      expect(checkJpegScan(read(file))).toMatchObject({ ok: false, kind: expected.replace('error:', '') });
    },
  );

  it('finds the random bytes in the Huffman-corrupted file where they were written', () => {
    // MANIFEST: 512 bytes overwritten at offset 268669; libjpeg-turbo decodes this file "fine".
    const result = checkJpegScan(read('bad/corrupt-huffman-scan-data_fallenleaf.jpg'));
    expect(result).toMatchObject({ ok: false, kind: 'corrupt' });
    if (result.ok) return;
    expect(result.offset).toBeGreaterThanOrEqual(268_669);
    expect(result.offset).toBeLessThanOrEqual(268_669 + 512);
  });

  it('reports the cut files as truncated, naming the scan and MCU where the data ends', () => {
    expect(checkJpegScan(read('bad/truncated_40pct_nokia-lumia820.jpg'))).toMatchObject({
      ok: false,
      kind: 'truncated',
      detail: expect.stringMatching(/data ends in scan 1 at MCU \d+ of 3600/) as unknown,
    });
    // 4-component (CMYK) file cut inside its only scan.
    expect(checkJpegScan(read('bad/cmyk_premature-end_gdkpixbuf.jpg'))).toMatchObject({
      ok: false,
      kind: 'truncated',
    });
  });

  it('gives the same verdicts for a JPEG that sits at an odd offset in a larger buffer', () => {
    // As a Buffer from Node's pool does: the checker reads through its own view of the memory.
    const inside = (bytes: Uint8Array): Uint8Array => {
      const larger = new Uint8Array(bytes.length + 10);
      larger.set(bytes, 3);
      return larger.subarray(3, 3 + bytes.length);
    };
    for (const file of [
      'photos/grace_hopper.jpg',
      'formats/flower_progressive.jpg',
      'bad/truncated_40pct_nokia-lumia820.jpg',
    ]) {
      expect(checkJpegScan(inside(read(file))), file).toEqual(checkJpegScan(read(file)));
    }
    const damaged = read('bad/corrupt-huffman-scan-data_fallenleaf.jpg');
    expect(checkJpegScan(inside(damaged))).toEqual(checkJpegScan(damaged));
  });

  it('says a file that is not a JPEG is not one', () => {
    expect(checkJpegScan(read('bad/png-content-with-jpg-extension_chelsea.jpg'))).toMatchObject({
      ok: false,
      kind: 'corrupt',
      detail: expect.stringContaining('not a JPEG') as unknown,
    });
    expect(checkJpegScan(new Uint8Array(0))).toMatchObject({ ok: false, kind: 'truncated' });
  });
});

describe('checkJpegScan on damaged copies of real files', () => {
  const baseline = read('photos/bythewater_nokia-n9.jpg');
  const progressive = read('formats/flower_progressive.jpg');
  const withRestarts = read('photos/IMG_0001_iphone6plus_orient6_gps.JPG');

  it.each([
    'photos/bythewater_nokia-n9.jpg',
    'formats/flower_progressive.jpg',
    'photos/IMG_0001_iphone6plus_orient6_gps.JPG',
    'formats/grace_hopper_cmyk_adobe-transform0.jpg',
    'formats/flower_grayscale.jpg',
  ])('%s cut in half is truncated', (file) => {
    const bytes = read(file);
    expect(checkJpegScan(bytes.subarray(0, Math.floor(bytes.length / 2)))).toMatchObject({
      ok: false,
      kind: 'truncated',
    });
  });

  it('judges each file on its own bytes, whatever the file checked before it (the copy buffer is reused)', () => {
    const big = read('photos/IMG_0001_iphone6plus_orient6_gps.JPG');
    const small = baseline.subarray(0, Math.floor(baseline.length / 2));
    // The big file leaves whole scan data in the buffer past where the small cut one ends.
    expect(big.length).toBeGreaterThan(2 * small.length);
    for (let round = 0; round < 2; round += 1) {
      expect(checkJpegScan(big)).toMatchObject({ ok: true });
      expect(checkJpegScan(small)).toMatchObject({ ok: false, kind: 'truncated' });
      expect(checkJpegScan(baseline)).toMatchObject({ ok: true });
    }
  });

  it('is truncated without the final EOI marker', () => {
    expect(baseline.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(checkJpegScan(baseline.subarray(0, -2))).toMatchObject({ ok: false, kind: 'truncated' });
  });

  it('finds random bytes written into each kind of progressive scan', () => {
    const scans = scansOf(progressive);
    // The file must still have every kind, or this test would check less than it says.
    expect(new Set(scans.map((scan) => scan.kind))).toEqual(
      new Set(['dc first', 'dc refine', 'ac first', 'ac refine']),
    );
    // DC refinement scans carry one bit per block, whatever it says: nothing to find there (nor can libjpeg).
    for (const kind of ['dc first', 'ac first', 'ac refine']) {
      const scan = scans.find((candidate) => candidate.kind === kind && candidate.dataEnd - candidate.end > 4_000);
      if (!scan) throw new Error(`no long ${kind} scan`);
      for (const seed of [1, 2, 3]) {
        const middle = Math.floor((scan.end + scan.dataEnd) / 2);
        expect(checkJpegScan(scribble(progressive, middle, 256, seed)), `${kind}, seed ${seed}`).toMatchObject({
          ok: false,
          kind: 'corrupt',
        });
      }
    }
    expect(checkJpegScan(scribble(progressive, Math.floor(progressive.length / 2), 512, 9))).toMatchObject({
      ok: false,
      kind: 'corrupt',
    });
  });

  it('finds random bytes written into the middle of a baseline scan', () => {
    const [scan] = segmentsOf(baseline, 0xda);
    if (!scan) throw new Error('no scan');
    const middle = Math.floor((scan.end + scan.dataEnd) / 2);
    expect(checkJpegScan(scribble(baseline, middle, 64, 4))).toMatchObject({ ok: false, kind: 'corrupt' });
  });

  it('refuses a progressive scan that does not follow the scans before it', () => {
    const refinement = scansOf(progressive).find((scan) => scan.kind === 'ac refine');
    if (!refinement) throw new Error('no AC refinement scan');
    const copy = Buffer.from(progressive);
    // Ah one higher than the previous scan's Al (and Al = Ah - 1, so the header on its own is valid).
    const high = ((copy[refinement.end - 1] ?? 0) >> 4) + 1;
    copy[refinement.end - 1] = (high << 4) | (high - 1);
    expect(checkJpegScan(copy)).toMatchObject({
      ok: false,
      kind: 'corrupt',
      detail: expect.stringContaining('inconsistent progression') as unknown,
    });
  });

  describe('restart markers', () => {
    const markers = restartMarkers(withRestarts);

    it('uses a file with a restart interval', () => {
      const [dri] = segmentsOf(withRestarts, 0xdd);
      expect(dri).toBeDefined();
      expect(markers.length).toBeGreaterThan(100);
    });

    it('refuses a restart marker out of sequence', () => {
      const at = markers[10] ?? 0;
      const copy = Buffer.from(withRestarts);
      copy[at + 1] = 0xd0 + (((copy[at + 1] ?? 0) - 0xd0 + 1) & 7);
      expect(checkJpegScan(copy)).toMatchObject({
        ok: false,
        kind: 'corrupt',
        detail: expect.stringContaining('expected restart marker RST2') as unknown,
      });
    });

    it('refuses a missing restart marker', () => {
      const at = markers[20] ?? 0;
      expect(checkJpegScan(without(withRestarts, at, at + 2))).toMatchObject({
        ok: false,
        kind: 'corrupt',
        detail: expect.stringContaining('restart marker RST4 missing') as unknown,
      });
    });

    it('refuses a restart marker that comes before its interval is complete', () => {
      // Drop the last byte of an interval's data, so the marker arrives while MCUs are still owed.
      const at = markers[30] ?? 0;
      expect(checkJpegScan(without(withRestarts, at - 1, at))).toMatchObject({
        ok: false,
        kind: 'corrupt',
        detail: expect.stringMatching(
          /^restart marker RST6 in scan 1 at MCU \d+ of \d+: the scan's data ends early$/,
        ) as unknown,
      });
    });
  });

  it('allows a few stray bytes before a marker, not more', () => {
    const eoi = baseline.length - 2;
    expect(checkJpegScan(inserted(baseline, eoi, [0x00, 0x00]))).toEqual({ ok: true, checked: 'full' });
    expect(checkJpegScan(inserted(baseline, eoi, [0xff, 0xff, 0xff]))).toEqual({ ok: true, checked: 'full' });
    expect(checkJpegScan(inserted(baseline, eoi, new Array<number>(16).fill(0x12)))).toMatchObject({
      ok: false,
      kind: 'corrupt',
      detail: expect.stringContaining('16 extraneous bytes before marker 0xD9') as unknown,
    });
  });

  it('refuses a scan whose Huffman table was never defined', () => {
    let bytes: Buffer = read('photos/grace_hopper.jpg');
    for (const dht of segmentsOf(bytes, 0xc4).reverse()) bytes = without(bytes, dht.at, dht.end);
    expect(checkJpegScan(bytes)).toMatchObject({
      ok: false,
      kind: 'corrupt',
      detail: expect.stringContaining('not defined (no DHT)') as unknown,
    });
  });

  it('names the coding processes it does not check', () => {
    const [sof] = segmentsOf(baseline, 0xc0);
    if (!sof) throw new Error('no SOF0');
    const withFrame = (code: number): Buffer => {
      const copy = Buffer.from(baseline);
      copy[sof.at + 1] = code;
      return copy;
    };
    expect(checkJpegScan(withFrame(0xc3))).toMatchObject({
      ok: false,
      kind: 'unsupported_format',
      detail: 'lossless JPEG (SOF3)',
    });
    expect(checkJpegScan(withFrame(0xc5))).toMatchObject({ ok: false, kind: 'unsupported_format' });
    // Arithmetic coding: the markers are walked, the coded data is not decoded.
    expect(checkJpegScan(withFrame(0xc9))).toEqual({ ok: true, checked: 'partial', skipped: 'arithmetic-coded scans' });
    expect(checkJpegScan(withFrame(0xc9).subarray(0, -2))).toMatchObject({ ok: false, kind: 'truncated' });
  });
});

describe('checkJpegScan on encoder variants made by sharp', () => {
  const source = read('photos/storm_canon-400d.jpg');

  it.each([
    ['progressive 4:2:0', { progressive: true }],
    ['progressive 4:4:4', { progressive: true, chromaSubsampling: '4:4:4', quality: 95 }],
    ['mozjpeg (spectral selection only)', { mozjpeg: true }],
    ['optimised Huffman baseline', { optimiseCoding: true, quality: 100, chromaSubsampling: '4:4:4' }],
  ] as const)('%s, at odd sizes', async (_name, options) => {
    for (const [width, height] of [
      [1, 1],
      [33, 17],
      [17, 250],
      [640, 427],
    ] as const) {
      const bytes = await sharp(source).resize(width, height, { fit: 'fill' }).jpeg(options).toBuffer();
      expect(checkJpegScan(bytes), `${width}×${height}`).toEqual({ ok: true, checked: 'full' });
      const grey = await sharp(source).resize(width, height, { fit: 'fill' }).grayscale().jpeg(options).toBuffer();
      expect(checkJpegScan(grey), `grey ${width}×${height}`).toEqual({ ok: true, checked: 'full' });
    }
  });

  it('makes AC refinement scans in the progressive variant, so the checks above cover them', async () => {
    const bytes = await sharp(source).resize(640, 427).jpeg({ progressive: true }).toBuffer();
    expect(scansOf(bytes).filter((scan) => scan.kind === 'ac refine').length).toBeGreaterThan(0);
    expect(checkJpegScan(bytes)).toEqual({ ok: true, checked: 'full' });
  });
});
