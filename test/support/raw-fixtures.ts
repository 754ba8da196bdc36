import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/**
 * RAW-like files for tests, built from a real JPEG. There are no camera RAW samples on the machines
 * that run the tests, so these reproduce the parts of a RAW that matter to Shootline: a TIFF
 * structure whose IFDs hold the embedded JPEG previews where ExifTool looks for them, the camera's
 * Make/Model and the RAW's own Orientation. The "sensor data" is a 16×16 stub.
 *
 * Layouts (as ExifTool names what it finds):
 *   DNG  IFD0 = 256 px RGB thumbnail + DNGVersion; SubIFDs: CFA stub, 1024 px JPEG → PreviewImage,
 *        full-size JPEG → JpgFromRaw
 *   CR2  "CR\x02\0" after the header, IFD0 strip = full JPEG → PreviewImage, IFD1 = 160×120 JPEG →
 *        ThumbnailImage, IFD2 = CFA stub (pointed at by the CR2 header)
 *   NEF  IFD0 = 160×120 RGB thumbnail, IFD1 = 160×120 JPEG → ThumbnailImage, SubIFD = CFA stub:
 *        no full-size preview at all
 *   TIFF an editor's export: one full-resolution RGB image with the camera's Make/Model in IFD0
 */

export const DEFAULT_SOURCE_JPEG = path.resolve(
  import.meta.dirname,
  '..',
  'fixtures',
  'corpus',
  'photos',
  'dune_canon-rebel.jpg',
);

export interface RawFixture {
  file: string;
  /** Size of the largest embedded JPEG (the full-size preview, or the thumbnail for thumbnail-only files). */
  width: number;
  height: number;
  orientation: number;
}

export interface RawFixtureOptions {
  /** File name inside the directory; defaults per format. */
  name?: string;
  /** EXIF Orientation written in IFD0 of the RAW (the previews carry none). */
  orientation?: number;
  /** The JPEG the previews are made from. */
  source?: string;
}

// ---- A small little-endian TIFF writer -----------------------------------------------------------

/** An offset or a length resolved once the layout is known: an IFD's or a blob's position / a blob's size. */
type Ref = { offsetOf: string } | { lengthOf: string };
type FieldType = 'byte' | 'ascii' | 'short' | 'long' | 'rational' | 'undefined';
interface Field {
  tag: number;
  type: FieldType;
  /** A string for ASCII; rationals are given as numerator, denominator pairs. */
  value: string | (number | Ref)[];
}
interface Ifd {
  name: string;
  fields: Field[];
  /** The IFD chained after this one (IFD0 → IFD1 …). */
  next?: string;
}

const TYPE_CODE: Record<FieldType, number> = { byte: 1, ascii: 2, short: 3, long: 4, rational: 5, undefined: 7 };
/** Bytes per stored number (a rational is two longs). */
const UNIT_SIZE: Record<FieldType, number> = { byte: 1, ascii: 1, short: 2, long: 4, rational: 4, undefined: 1 };

const f = (tag: number, type: FieldType, ...value: (number | Ref)[]): Field => ({ tag, type, value });
const ascii = (tag: number, text: string): Field => ({ tag, type: 'ascii', value: text });
const offsetOf = (name: string): Ref => ({ offsetOf: name });
const lengthOf = (name: string): Ref => ({ lengthOf: name });

function fieldBytes(field: Field): { count: number; size: number } {
  const units = typeof field.value === 'string' ? Buffer.byteLength(field.value, 'latin1') + 1 : field.value.length;
  return { count: field.type === 'rational' ? units / 2 : units, size: units * UNIT_SIZE[field.type] };
}

const align2 = (n: number): number => n + (n % 2);

/**
 * Lays out the header, then each IFD followed by its out-of-line values, then the blobs, and
 * writes it. The first IFD is IFD0. `cr2RawIfd` adds the Canon CR2 header extension.
 */
function buildTiff(ifds: Ifd[], blobs: Record<string, Uint8Array>, cr2RawIfd?: string): Buffer {
  const positions = new Map<string, number>();
  const valuePositions = new Map<Field, number>();
  let cursor = cr2RawIfd ? 16 : 8;
  for (const ifd of ifds) {
    ifd.fields.sort((a, b) => a.tag - b.tag); // TIFF requires ascending tags
    positions.set(ifd.name, cursor);
    cursor += 2 + 12 * ifd.fields.length + 4;
    for (const field of ifd.fields) {
      const { size } = fieldBytes(field);
      if (size <= 4) continue;
      valuePositions.set(field, cursor);
      cursor = align2(cursor + size);
    }
  }
  for (const [name, blob] of Object.entries(blobs)) {
    positions.set(name, cursor);
    cursor = align2(cursor + blob.length);
  }

  const where = (name: string): number => {
    const position = positions.get(name);
    if (position === undefined) throw new Error(`raw-fixtures: nothing named ${name}`);
    return position;
  };
  const resolve = (value: number | Ref): number => {
    if (typeof value === 'number') return value;
    if ('offsetOf' in value) return where(value.offsetOf);
    const blob = blobs[value.lengthOf];
    if (!blob) throw new Error(`raw-fixtures: no blob named ${value.lengthOf}`);
    return blob.length;
  };

  const out = Buffer.alloc(cursor);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(where(ifds[0]?.name ?? ''), 4);
  if (cr2RawIfd) {
    out.write('CR', 8, 'latin1');
    out.writeUInt8(2, 10); // CR2 major version 2, minor 0
    out.writeUInt32LE(where(cr2RawIfd), 12);
  }

  const writeValues = (field: Field, at: number): void => {
    if (typeof field.value === 'string') {
      out.write(`${field.value}\0`, at, 'latin1');
      return;
    }
    field.value.forEach((value, index) => {
      const number = resolve(value);
      const unit = UNIT_SIZE[field.type];
      const offset = at + index * unit;
      if (unit === 1) out.writeUInt8(number, offset);
      else if (unit === 2) out.writeUInt16LE(number, offset);
      else out.writeUInt32LE(number, offset);
    });
  };

  for (const ifd of ifds) {
    let at = where(ifd.name);
    out.writeUInt16LE(ifd.fields.length, at);
    at += 2;
    for (const field of ifd.fields) {
      const { count } = fieldBytes(field);
      out.writeUInt16LE(field.tag, at);
      out.writeUInt16LE(TYPE_CODE[field.type], at + 2);
      out.writeUInt32LE(count, at + 4);
      const outOfLine = valuePositions.get(field);
      if (outOfLine === undefined) writeValues(field, at + 8);
      else {
        out.writeUInt32LE(outOfLine, at + 8);
        writeValues(field, outOfLine);
      }
      at += 12;
    }
    out.writeUInt32LE(ifd.next ? where(ifd.next) : 0, at);
  }
  for (const [name, blob] of Object.entries(blobs)) out.set(blob, where(name));
  return out;
}

// ---- TIFF / DNG tag numbers used below -----------------------------------------------------------

const T = {
  NewSubfileType: 0xfe,
  ImageWidth: 0x100,
  ImageLength: 0x101,
  BitsPerSample: 0x102,
  Compression: 0x103,
  Photometric: 0x106,
  Make: 0x10f,
  Model: 0x110,
  StripOffsets: 0x111,
  Orientation: 0x112,
  SamplesPerPixel: 0x115,
  RowsPerStrip: 0x116,
  StripByteCounts: 0x117,
  XResolution: 0x11a,
  YResolution: 0x11b,
  PlanarConfiguration: 0x11c,
  ResolutionUnit: 0x128,
  SubIFDs: 0x14a,
  JpegOffset: 0x201, // JPEGInterchangeFormat
  JpegLength: 0x202, // JPEGInterchangeFormatLength
  CFARepeatPatternDim: 0x828d,
  CFAPattern: 0x828e,
  DNGVersion: 0xc612,
  DNGBackwardVersion: 0xc613,
  UniqueCameraModel: 0xc614,
} as const;

const COMPRESSION_NONE = 1;
const COMPRESSION_OLD_JPEG = 6;
const COMPRESSION_JPEG = 7;
const PHOTOMETRIC_YCBCR = 6;
const PHOTOMETRIC_RGB = 2;
const PHOTOMETRIC_CFA = 32803;
const REDUCED_RESOLUTION = 1;

const RAW_STUB_SIZE = 16;
/** Canon's IFD0 carries no NewSubfileType, photometric or sample layout for its preview strip. */
const CR2_OMITTED: number[] = [T.NewSubfileType, T.Photometric, T.SamplesPerPixel, T.RowsPerStrip];

/** A 16×16 16-bit RGGB sensor stub: stands in for the RAW data no test decodes. */
function cfaStubFields(blob: string): Field[] {
  return [
    f(T.NewSubfileType, 'long', 0),
    f(T.ImageWidth, 'long', RAW_STUB_SIZE),
    f(T.ImageLength, 'long', RAW_STUB_SIZE),
    f(T.BitsPerSample, 'short', 16),
    f(T.Compression, 'short', COMPRESSION_NONE),
    f(T.Photometric, 'short', PHOTOMETRIC_CFA),
    f(T.StripOffsets, 'long', offsetOf(blob)),
    f(T.SamplesPerPixel, 'short', 1),
    f(T.RowsPerStrip, 'long', RAW_STUB_SIZE),
    f(T.StripByteCounts, 'long', lengthOf(blob)),
    f(T.CFARepeatPatternDim, 'short', 2, 2),
    f(T.CFAPattern, 'byte', 0, 1, 1, 2),
  ];
}
const cfaStub = (): Buffer => Buffer.alloc(RAW_STUB_SIZE * RAW_STUB_SIZE * 2, 0x40);

/** IFD fields for a JPEG stored as a strip (how DNG SubIFDs and the CR2 IFD0 hold previews). */
function jpegStripFields(blob: string, width: number, height: number, compression: number): Field[] {
  return [
    f(T.NewSubfileType, 'long', REDUCED_RESOLUTION),
    f(T.ImageWidth, 'long', width),
    f(T.ImageLength, 'long', height),
    f(T.BitsPerSample, 'short', 8, 8, 8),
    f(T.Compression, 'short', compression),
    f(T.Photometric, 'short', PHOTOMETRIC_YCBCR),
    f(T.StripOffsets, 'long', offsetOf(blob)),
    f(T.SamplesPerPixel, 'short', 3),
    f(T.RowsPerStrip, 'long', height),
    f(T.StripByteCounts, 'long', lengthOf(blob)),
  ];
}

/** IFD fields for uncompressed 8-bit RGB: the thumbnail in IFD0 of DNG and NEF files, or a whole TIFF. */
function rgbStripFields(blob: string, width: number, height: number, subfileType = REDUCED_RESOLUTION): Field[] {
  return [
    f(T.NewSubfileType, 'long', subfileType),
    f(T.ImageWidth, 'long', width),
    f(T.ImageLength, 'long', height),
    f(T.BitsPerSample, 'short', 8, 8, 8),
    f(T.Compression, 'short', COMPRESSION_NONE),
    f(T.Photometric, 'short', PHOTOMETRIC_RGB),
    f(T.StripOffsets, 'long', offsetOf(blob)),
    f(T.SamplesPerPixel, 'short', 3),
    f(T.RowsPerStrip, 'long', height),
    f(T.StripByteCounts, 'long', lengthOf(blob)),
    f(T.PlanarConfiguration, 'short', 1),
  ];
}

function cameraFields(make: string, model: string, orientation: number): Field[] {
  return [
    ascii(T.Make, make),
    ascii(T.Model, model),
    f(T.Orientation, 'short', orientation),
    f(T.XResolution, 'rational', 300, 1),
    f(T.YResolution, 'rational', 300, 1),
    f(T.ResolutionUnit, 'short', 2),
  ];
}

// ---- Images made from the source JPEG ------------------------------------------------------------

interface Jpeg {
  data: Buffer;
  width: number;
  height: number;
}

/** The source re-encoded without metadata (camera previews carry no EXIF), optionally shrunk. */
async function jpegFrom(source: string, size?: { width: number; height: number }): Promise<Jpeg> {
  let pipeline = sharp(source).rotate(); // bake in any source orientation; the RAW supplies its own
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await pipeline.jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function rgbFrom(source: string, width: number, height: number): Promise<Buffer> {
  return sharp(source).rotate().resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

// ---- The fixtures ----------------------------------------------------------------------------------

/**
 * A DNG-like file as Adobe DNG Converter lays it out: a 256 px RGB thumbnail in IFD0, the sensor
 * data in the first SubIFD, a 1024 px JPEG in the second (ExifTool's PreviewImage) and the
 * full-size JPEG in the third (ExifTool's JpgFromRaw).
 */
export async function writeDngLike(dir: string, options: RawFixtureOptions = {}): Promise<RawFixture> {
  const { name = 'sample.dng', orientation = 1, source = DEFAULT_SOURCE_JPEG } = options;
  const full = await jpegFrom(source);
  const scaled = (longEdge: number): { width: number; height: number } => {
    const scale = longEdge / Math.max(full.width, full.height);
    return { width: Math.round(full.width * scale), height: Math.round(full.height * scale) };
  };
  const medium = await jpegFrom(source, scaled(1024));
  const thumb = scaled(256);
  const bytes = buildTiff(
    [
      {
        name: 'IFD0',
        fields: [
          ...rgbStripFields('thumb', thumb.width, thumb.height),
          ...cameraFields('Shootline', 'Test DNG', orientation),
          f(T.SubIFDs, 'long', offsetOf('SubIFD'), offsetOf('SubIFD1'), offsetOf('SubIFD2')),
          f(T.DNGVersion, 'byte', 1, 4, 0, 0),
          f(T.DNGBackwardVersion, 'byte', 1, 1, 0, 0),
          ascii(T.UniqueCameraModel, 'Shootline Test DNG'),
        ],
      },
      { name: 'SubIFD', fields: cfaStubFields('raw') },
      { name: 'SubIFD1', fields: jpegStripFields('medium', medium.width, medium.height, COMPRESSION_JPEG) },
      { name: 'SubIFD2', fields: jpegStripFields('full', full.width, full.height, COMPRESSION_JPEG) },
    ],
    {
      thumb: await rgbFrom(source, thumb.width, thumb.height),
      raw: cfaStub(),
      medium: medium.data,
      full: full.data,
    },
  );
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return { file, width: full.width, height: full.height, orientation };
}

/** A Canon CR2-like file: the full-size JPEG is IFD0's strip (ExifTool's PreviewImage), 160×120 JPEG in IFD1. */
export async function writeCr2Like(dir: string, options: RawFixtureOptions = {}): Promise<RawFixture> {
  const { name = 'sample.cr2', orientation = 1, source = DEFAULT_SOURCE_JPEG } = options;
  const full = await jpegFrom(source);
  const thumb = await jpegFrom(source, { width: 160, height: 120 });
  const bytes = buildTiff(
    [
      {
        name: 'IFD0',
        next: 'IFD1',
        fields: [
          ...jpegStripFields('preview', full.width, full.height, COMPRESSION_OLD_JPEG).filter(
            (field) => !CR2_OMITTED.includes(field.tag),
          ),
          ...cameraFields('Canon', 'Canon EOS Test', orientation),
        ],
      },
      {
        name: 'IFD1',
        next: 'IFD2',
        fields: [
          f(T.Compression, 'short', COMPRESSION_OLD_JPEG),
          f(T.JpegOffset, 'long', offsetOf('thumb')),
          f(T.JpegLength, 'long', lengthOf('thumb')),
        ],
      },
      { name: 'IFD2', fields: cfaStubFields('raw') },
    ],
    { preview: full.data, thumb: thumb.data, raw: cfaStub() },
    'IFD2',
  );
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return { file, width: full.width, height: full.height, orientation };
}

/** A NEF-like file with only a 160×120 thumbnail (RGB in IFD0 and JPEG in IFD1): no usable preview. */
export async function writeThumbnailOnlyRaw(dir: string, options: RawFixtureOptions = {}): Promise<RawFixture> {
  const { name = 'thumbnail-only.nef', orientation = 1, source = DEFAULT_SOURCE_JPEG } = options;
  const thumb = await jpegFrom(source, { width: 160, height: 120 });
  const bytes = buildTiff(
    [
      {
        name: 'IFD0',
        next: 'IFD1',
        fields: [
          ...rgbStripFields('rgb', 160, 120),
          ...cameraFields('NIKON CORPORATION', 'NIKON TEST', orientation),
          f(T.SubIFDs, 'long', offsetOf('SubIFD')),
        ],
      },
      {
        name: 'IFD1',
        fields: [
          f(T.Compression, 'short', COMPRESSION_OLD_JPEG),
          f(T.JpegOffset, 'long', offsetOf('thumb')),
          f(T.JpegLength, 'long', lengthOf('thumb')),
        ],
      },
      { name: 'SubIFD', fields: cfaStubFields('raw') },
    ],
    { rgb: await rgbFrom(source, 160, 120), thumb: thumb.data, raw: cfaStub() },
  );
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return { file, width: thumb.width, height: thumb.height, orientation };
}

/** A plain 8-bit RGB TIFF written by sharp (libvips/libtiff). */
export async function writePlainTiff(dir: string, options: RawFixtureOptions = {}): Promise<string> {
  const { name = 'plain.tif', source = DEFAULT_SOURCE_JPEG } = options;
  const file = path.join(dir, name);
  await sharp(source).rotate().resize(400).tiff({ compression: 'lzw' }).toFile(file);
  return file;
}

/**
 * A plain TIFF as an editor exports it: one full-resolution RGB image (NewSubfileType 0) that keeps
 * the camera's Make/Model and Orientation in IFD0 — what a RAW rule must not mistake for a RAW.
 * (sharp cannot write Make/Model into a TIFF's IFD0, hence the hand-built file.)
 */
export async function writeEditorTiff(dir: string, options: RawFixtureOptions = {}): Promise<string> {
  const { name = 'editor-export.tif', orientation = 1, source = DEFAULT_SOURCE_JPEG } = options;
  const width = 400;
  const height = 250;
  const bytes = buildTiff(
    [
      {
        name: 'IFD0',
        fields: [
          ...rgbStripFields('pixels', width, height, 0),
          ...cameraFields('Canon', 'Canon EOS Test', orientation),
        ],
      },
    ],
    { pixels: await rgbFrom(source, width, height) },
  );
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}
