import { describe, expect, it } from 'vitest';
import { readExif } from '../../main/engine/imaging/metadata';

/** An EXIF block as sharp hands it over ("Exif\0\0", then a little-endian TIFF) with a Make and a Model. */
function exifWith(make: string, model: string): Buffer {
  const texts = [Buffer.from(`${make}\0`, 'latin1'), Buffer.from(`${model}\0`, 'latin1')];
  const entries = 2;
  const dataStart = 8 + 2 + entries * 12 + 4;
  const tiff = Buffer.alloc(dataStart + texts[0]!.length + texts[1]!.length);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(entries, 8);
  let offset = dataStart;
  [0x010f, 0x0110].forEach((tag, index) => {
    const at = 10 + index * 12;
    const text = texts[index] ?? Buffer.alloc(0);
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(2, at + 2); // ASCII
    tiff.writeUInt32LE(text.length, at + 4);
    tiff.writeUInt32LE(offset, at + 8);
    text.copy(tiff, offset);
    offset += text.length;
  });
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

describe('EXIF text fields', () => {
  it('stop at their first NUL, as the standard says: what follows is padding or old bytes', async () => {
    const metadata = await readExif(exifWith('Nokia\0 2 N9', 'N9\0\0\0garbage'));
    expect(metadata.make).toBe('Nokia');
    expect(metadata.model).toBe('N9');
    expect(metadata.camera).toBe('Nokia N9');
  });

  it('leaves a field that is only NULs or spaces out', async () => {
    // (Longer than 4 bytes, so stored at an offset as this little writer does.)
    const metadata = await readExif(exifWith('\0\0\0\0\0\0', '      '));
    expect(metadata.make).toBeNull();
    expect(metadata.camera).toBeNull();
  });
});
