import { afterAppSegments, jpegHeaderSegments } from '../imaging/jpeg-segments';
import { cleanText, fillOnly, type MetadataPlan, type SourceFields } from './export-metadata';

/**
 * An export's metadata written into a JPEG by Shootline itself, where nothing has to be copied
 * from the source: the same EXIF, XMP and IPTC fields the exiftool path writes (the equality of the
 * two is tested tag by tag), in a few microseconds instead of some forty milliseconds through
 * exiftool's process. Every case this does not cover (other formats, keep-all and strip-gps,
 * credits of the source's own to copy, values too long for one segment) goes to exiftool.
 */

/** What is written: the policy's credits, the AI disclosure and the description. */
interface Fields {
  creator?: string | undefined;
  copyright?: string | undefined;
  email?: string | undefined;
  url?: string | undefined;
  phone?: string | undefined;
  description?: string | undefined;
  digitalSourceType?: string | undefined;
}

/**
 * The fields to write without exiftool, or null when exiftool must: only for JPEG, for the
 * copyright-contact policy when the source has none of the fields that policy copies (`source`
 * read in-process), and for strip-all.
 */
export function nativeFields(plan: MetadataPlan, source: SourceFields | null): Fields | null {
  if (plan.format !== 'jpeg') return null;
  if (plan.policy !== 'copyright-contact' && plan.policy !== 'strip-all') return null;
  if (plan.policy === 'copyright-contact' && (source === null || source.copyable)) return null;
  const credits = plan.policy === 'strip-all' ? {} : fillOnly(plan.credits, plan.own);
  return {
    creator: cleanText(credits.creator),
    copyright: cleanText(credits.copyright),
    email: cleanText(credits.contact?.email),
    url: cleanText(credits.contact?.url),
    phone: cleanText(credits.contact?.phone),
    description: cleanText(plan.description?.replace(/\s*[\r\n]+\s*/g, ' ')),
    digitalSourceType: plan.digitalSourceType ?? undefined,
  };
}

/** The JPEG with the fields' EXIF, XMP and IPTC segments, or null when a value is too long for them. */
export function writeNativeMetadata(jpeg: Buffer, fields: Fields): Buffer | null {
  // Written once: an encoder that starts keeping metadata of its own goes to exiftool, which merges.
  if (hasMetadataSegment(jpeg)) return null;
  const exif = exifSegment(fields);
  const xmp = xmpSegment(fields);
  const iptc = iptcSegment(fields);
  if (exif === null || xmp === null || iptc === null) return null;
  // EXIF and XMP right after JFIF (APP0); IPTC after the other APPn segments (the colour profile).
  const [first] = jpegHeaderSegments(jpeg);
  const afterJfif = first?.marker === 0xe0 ? first.end : 2;
  const afterApps = afterAppSegments(jpeg);
  return Buffer.concat([
    jpeg.subarray(0, afterJfif),
    ...[exif, xmp].filter((segment) => segment.length > 0),
    jpeg.subarray(afterJfif, afterApps),
    iptc,
    jpeg.subarray(afterApps),
  ]);
}

/** Whether the JPEG's header already holds EXIF, XMP (APP1) or a Photoshop/IPTC block (APP13). */
function hasMetadataSegment(jpeg: Buffer): boolean {
  return jpegHeaderSegments(jpeg).some(({ marker }) => marker === 0xe1 || marker === 0xed);
}

/** The pairs whose value is there. */
function present<K>(pairs: readonly (readonly [K, string | undefined])[]): [K, string][] {
  return pairs.flatMap(([key, value]) => (value === undefined ? [] : [[key, value] as [K, string]]));
}

/** A JPEG marker segment, or null when its body is over the 65,533 bytes one segment holds. */
function segment(marker: number, body: Buffer): Buffer | null {
  if (body.length + 2 > 0xffff) return null;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/**
 * IFD0 with ImageDescription, Artist and Copyright as UTF-8 (what exiftool writes into EXIF's ASCII
 * fields), and YCbCrPositioning (centred), which EXIF requires in a JPEG and exiftool adds.
 */
function exifSegment(fields: Fields): Buffer | null {
  const texts = present<number>([
    [0x010e, fields.description],
    [0x013b, fields.creator],
    [0x8298, fields.copyright],
  ]);
  if (texts.length === 0) return Buffer.alloc(0);
  const centred = Buffer.alloc(2);
  centred.writeUInt16BE(1);
  // Tag, TIFF type (2 ASCII, 3 SHORT), value count, value bytes; in tag order, as TIFF asks.
  const entries = [
    ...texts.map(([tag, text]) => {
      const value = Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
      return { tag, type: 2, count: value.length, value };
    }),
    { tag: 0x0213, type: 3, count: 1, value: centred },
  ].sort((a, b) => a.tag - b.tag);
  const ifdSize = 2 + entries.length * 12 + 4;
  const tiff = Buffer.alloc(8 + ifdSize);
  tiff.write('MM', 0, 'latin1'); // big-endian, as exiftool writes a new EXIF block
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(entries.length, 8);
  let dataAt = 8 + ifdSize;
  const data: Buffer[] = [];
  entries.forEach(({ tag, type, count, value }, index) => {
    const at = 10 + index * 12;
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (value.length <= 4) value.copy(tiff, at + 8);
    else {
      tiff.writeUInt32BE(dataAt, at + 8);
      // Values start on word boundaries.
      const padded = value.length % 2 ? Buffer.concat([value, Buffer.from([0])]) : value;
      data.push(padded);
      dataAt += padded.length;
    }
  });
  tiff.writeUInt32BE(0, 8 + 2 + entries.length * 12); // no next IFD
  return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, ...data]));
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const alt = (text: string): string => `<rdf:Alt><rdf:li xml:lang="x-default">${xml(text)}</rdf:li></rdf:Alt>`;

/** One XMP packet with the fields exiftool's path writes (Dublin Core, rights, IPTC Core and Extension). */
function xmpSegment(fields: Fields): Buffer | null {
  const properties: string[] = [];
  if (fields.creator !== undefined)
    properties.push(`<dc:creator><rdf:Seq><rdf:li>${xml(fields.creator)}</rdf:li></rdf:Seq></dc:creator>`);
  if (fields.description !== undefined) properties.push(`<dc:description>${alt(fields.description)}</dc:description>`);
  if (fields.copyright !== undefined) {
    properties.push(`<dc:rights>${alt(fields.copyright)}</dc:rights>`, '<xmpRights:Marked>True</xmpRights:Marked>');
  }
  const contact = present<string>([
    ['CiEmailWork', fields.email],
    ['CiTelWork', fields.phone],
    ['CiUrlWork', fields.url],
  ]);
  if (contact.length > 0) {
    const inner = contact.map(([name, value]) => `<Iptc4xmpCore:${name}>${xml(value)}</Iptc4xmpCore:${name}>`);
    properties.push(
      `<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">${inner.join('')}</Iptc4xmpCore:CreatorContactInfo>`,
    );
  }
  if (fields.digitalSourceType !== undefined) {
    properties.push(`<Iptc4xmpExt:DigitalSourceType>${xml(fields.digitalSourceType)}</Iptc4xmpExt:DigitalSourceType>`);
  }
  if (properties.length === 0) return Buffer.alloc(0);
  const packet =
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"' +
    ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"' +
    ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"' +
    ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">' +
    properties.join('') +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
  return segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(packet)]));
}

/** IPTC IIM in a Photoshop resource (APP13): UTF-8 declared, then By-line, CopyrightNotice, Caption-Abstract. */
function iptcSegment(fields: Fields): Buffer | null {
  const datasets = present<number>([
    [80, fields.creator],
    [116, fields.copyright],
    [120, fields.description],
  ]);
  if (datasets.length === 0) return Buffer.alloc(0);
  const dataset = (record: number, number: number, value: Buffer): Buffer | null => {
    if (value.length > 0x7fff) return null; // an extended dataset: exiftool's
    const head = Buffer.from([0x1c, record, number, 0, 0]);
    head.writeUInt16BE(value.length, 3);
    return Buffer.concat([head, value]);
  };
  const parts = [
    dataset(1, 0, Buffer.from([0, 4])), // EnvelopeRecordVersion 4
    dataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])), // ESC % G: UTF-8
    dataset(2, 0, Buffer.from([0, 4])), // ApplicationRecordVersion 4
    ...datasets.map(([number, text]) => dataset(2, number, Buffer.from(text, 'utf8'))),
  ];
  if (parts.some((part) => part === null)) return null;
  const iim = Buffer.concat(parts as Buffer[]);
  const padded = iim.length % 2 ? Buffer.concat([iim, Buffer.from([0])]) : iim;
  const resource = Buffer.alloc(12);
  resource.write('8BIM', 0, 'latin1');
  resource.writeUInt16BE(0x0404, 4); // IPTC-NAA record
  resource.writeUInt16BE(0, 6); // empty name, padded to even
  resource.writeUInt32BE(iim.length, 8);
  return segment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource, padded]));
}
