/**
 * The name an ICC profile gives itself ("sRGB IEC61966-2.1", "Display P3", "Adobe RGB (1998)"),
 * read from its `desc` tag: version 2 profiles store it as ASCII (type `desc`), version 4 as
 * UTF-16 text per language (type `mluc`, the first record is taken). Null for anything malformed.
 */
export function iccProfileName(profile: Buffer | undefined): string | null {
  if (!profile || profile.length < 132) return null;
  const count = profile.readUInt32BE(128);
  if (count > 1000 || 132 + count * 12 > profile.length) return null;
  for (let index = 0; index < count; index++) {
    const entry = 132 + index * 12;
    if (profile.toString('latin1', entry, entry + 4) !== 'desc') continue;
    const offset = profile.readUInt32BE(entry + 4);
    const size = profile.readUInt32BE(entry + 8);
    if (offset + size > profile.length || size < 12) return null;
    return readText(profile.subarray(offset, offset + size));
  }
  return null;
}

function readText(tag: Buffer): string | null {
  const type = tag.toString('latin1', 0, 4);
  if (type === 'desc') {
    const length = tag.readUInt32BE(8);
    if (12 + length > tag.length) return null;
    return clean(tag.toString('latin1', 12, 12 + length));
  }
  if (type === 'mluc' && tag.length >= 28) {
    const records = tag.readUInt32BE(8);
    if (records < 1) return null;
    const length = tag.readUInt32BE(20);
    const start = tag.readUInt32BE(24);
    if (start + length > tag.length || length % 2 !== 0) return null;
    // UTF-16 big-endian: swap to the little-endian Node decodes.
    const text = Buffer.from(tag.subarray(start, start + length))
      .swap16()
      .toString('utf16le');
    return clean(text);
  }
  return null;
}

function clean(text: string): string | null {
  const trimmed = text.replace(/\0.*$/s, '').trim();
  return trimmed === '' ? null : trimmed.slice(0, 200);
}
