import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  capBytes,
  ClaimedNames,
  fillTemplate,
  fitFileName,
  formatDateToken,
  MAX_NAME_BYTES,
  renderFileName,
  renderFolder,
  renderOutputPath,
  resolveCollision,
  safeName,
  seqWidth,
  type ExistingFiles,
  type NameFields,
} from '../../main/engine/export/names';
import { BUILT_IN_PRESETS, ExportPresetSchema, unknownTokens } from '../../shared/export-preset';
import { tempDir } from '../support/temp';

const fields = (overrides: Partial<NameFields> = {}): NameFields => ({
  shoot: 'Fotó café 写真',
  name: 'IMG_0001',
  seq: 7,
  variant: 'v2',
  provider: 'aixpose',
  rating: 4,
  captureDate: '2016-03-24T14:49:51',
  date: new Date(2025, 0, 31, 12, 0, 0),
  ...overrides,
});

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('export preset schema', () => {
  const minimal = {
    name: 'Mine',
    what: 'approved',
    format: 'jpeg',
    size: { mode: 'long-edge', value: 2048 },
    metadata: 'strip-gps',
    outputFolder: '{shoot}',
    filenameTemplate: '{name}',
  };

  it('fills the defaults a user leaves out', () => {
    const preset = ExportPresetSchema.parse(minimal);
    expect(preset).toMatchObject({
      quality: 85,
      bitDepth: 8,
      colourSpace: 'srgb',
      collision: 'suffix',
      keepFolderTree: false,
      aiDisclosure: { metadata: false },
      size: { mode: 'long-edge', value: 2048, enlarge: false },
    });
    expect(preset.maxFileBytes).toBeUndefined();
    expect(preset.watermark).toBeUndefined();
    const watermarked = ExportPresetSchema.parse({ ...minimal, watermark: { kind: 'text', text: '© Studio' } });
    expect(watermarked.watermark).toEqual({
      kind: 'text',
      text: '© Studio',
      position: 'bottom-right',
      marginPct: 2,
      opacity: 0.5,
      scalePct: 20,
    });
  });

  it('refuses what cannot be exported: bad quality, 16-bit JPEG, unknown tokens, folders in file names, ".."', () => {
    const refused = (change: Record<string, unknown>) =>
      ExportPresetSchema.safeParse({ ...minimal, ...change }).success;
    expect(refused({ quality: 0 })).toBe(false);
    expect(refused({ quality: 101 })).toBe(false);
    expect(refused({ bitDepth: 16 })).toBe(false);
    expect(refused({ format: 'tiff', bitDepth: 16 })).toBe(true);
    expect(refused({ format: 'gif' })).toBe(false);
    expect(refused({ filenameTemplate: '{nmae}' })).toBe(false);
    expect(refused({ filenameTemplate: '{shoot}/{name}' })).toBe(false);
    expect(refused({ outputFolder: '{shoot}/../..' })).toBe(false);
    expect(refused({ size: { mode: 'exact', width: 1080 } })).toBe(false);
    expect(refused({ size: { mode: 'megapixels', value: 12.5 } })).toBe(true);
    expect(refused({ colourSpace: 'adobe-rgb' })).toBe(false);
    expect(refused({ watermark: { kind: 'text', text: 'x', opacity: 1.5 } })).toBe(false);
    expect(refused({ watermark: { kind: 'image', pngPath: '/logo.png', position: 'middle' } })).toBe(false);
    expect(refused({ metadata: 'strip-some' })).toBe(false);
    expect(refused({ collision: 'rename' })).toBe(false);
    expect(unknownTokens('{shoot}_{seq}_{camera}')).toEqual(['camera']);
  });

  it('ships the five built-in presets as the brief describes them', () => {
    expect(BUILT_IN_PRESETS.map((preset) => preset.name)).toEqual([
      'Listing (MLS)',
      'Web',
      'Full-resolution JPEG',
      'Instagram 4:5 (1080×1350)',
      'Archive: 16-bit TIFF',
    ]);
    const [listing, web, full, instagram, archive] = BUILT_IN_PRESETS;
    expect(listing).toMatchObject({
      format: 'jpeg',
      colourSpace: 'srgb',
      size: { mode: 'long-edge', value: 2048, enlarge: false },
      aiDisclosure: { label: { text: 'Virtually staged' }, metadata: true },
    });
    expect(listing?.maxFileBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(web).toMatchObject({ format: 'webp', size: { mode: 'long-edge', value: 1600 } });
    expect(full).toMatchObject({ format: 'jpeg', size: { mode: 'original' } });
    expect(instagram).toMatchObject({ size: { mode: 'exact', width: 1080, height: 1350, enlarge: true } });
    expect(archive).toMatchObject({ format: 'tiff', bitDepth: 16 });
  });
});

describe('name templates', () => {
  it('replaces every token, keeping a unicode shoot name (NFC) intact', () => {
    const decomposed = 'Foto\u0301 cafe\u0301 写真'; // "ó" and "é" as letter + combining accent (macOS file names)
    const name = renderFileName(
      '{shoot}_{name}_{seq}_{variant}_{provider}_{date}_{rating}',
      fields({ shoot: decomposed }),
      { seqWidth: 3, extension: 'jpg' },
    );
    expect(name).toBe('Fotó café 写真_IMG_0001_007_v2_aixpose_2016-03-24_4.jpg');
    expect(name.normalize('NFC')).toBe(name);
  });

  it('pads {seq} to the width of the whole run', () => {
    expect(seqWidth(9)).toBe(1);
    expect(seqWidth(10)).toBe(2);
    expect(seqWidth(120)).toBe(3);
    expect(fillTemplate('{seq}', fields({ seq: 7 }), seqWidth(120))).toBe('007');
    expect(fillTemplate('{seq}', fields({ seq: 120 }), seqWidth(120))).toBe('120');
  });

  it('takes {date} from the capture date (either spelling), else from the export date', () => {
    const exportDay = new Date(2025, 0, 31, 23, 59);
    expect(formatDateToken('2016-03-24T14:49:51', exportDay)).toBe('2016-03-24');
    expect(formatDateToken('2016:03:24 14:49:51', exportDay)).toBe('2016-03-24');
    expect(formatDateToken(null, exportDay)).toBe('2025-01-31');
    expect(formatDateToken('0000:00:00 00:00:00', exportDay)).toBe('2025-01-31');
  });

  it('drops the separator next to a token that is empty (an original has no variant or provider)', () => {
    const original = fields({ variant: null, provider: null, rating: null });
    expect(fillTemplate('{name}_{variant}', original, 1)).toBe('IMG_0001');
    expect(fillTemplate('{variant}-{name}', original, 1)).toBe('IMG_0001');
    expect(fillTemplate('{name}_{provider}_{variant}_{seq}', original, 2)).toBe('IMG_0001_07');
    expect(fillTemplate('{name} ({rating})', original, 1)).toBe('IMG_0001 ()');
  });

  it('makes names every OS accepts: unsafe characters, control and bidi characters, dots, reserved names', () => {
    expect(safeName('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeName('tab\there\u0000\u001f\u007f\u0085')).toBe('tabhere');
    expect(safeName('photo\u202Egpj.exe')).toBe('photogpj.exe');
    expect(safeName('  trailing dots and spaces. . ')).toBe('trailing dots and spaces');
    expect(safeName('.hidden')).toBe('hidden');
    expect(safeName('...')).toBe('_');
    expect(safeName('CON')).toBe('_CON');
    expect(safeName('nul.txt')).toBe('_nul.txt');
    expect(safeName('Com1')).toBe('_Com1');
    expect(safeName('CONSOLE')).toBe('CONSOLE');
    expect(renderFileName('{shoot}', fields({ shoot: 'LPT1' }), { seqWidth: 1, extension: 'jpg' })).toBe('_LPT1.jpg');
    expect(renderFileName('{name}', fields({ name: 'what?' }), { seqWidth: 1, extension: 'jpg' })).toBe('what_.jpg');
    expect(renderFileName('{variant}', fields({ variant: null }), { seqWidth: 1, extension: 'jpg' })).toBe(
      'export.jpg',
    );
  });

  it('caps a name at 255 UTF-8 bytes including the extension, never splitting a character', () => {
    const long = '写真'.repeat(100) + '👩‍👩‍👧'.repeat(20); // 3-byte characters and multi-code-point emoji
    const name = renderFileName('{shoot}_{seq}', fields({ shoot: long }), { seqWidth: 3, extension: 'jpeg' });
    expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(name.endsWith('.jpeg')).toBe(true);
    expect(name).not.toContain('\uFFFD');
    expect(capBytes('ab👩‍👩‍👧', 5)).toBe('ab');
    const suffixed = fitFileName('x'.repeat(400), 'tif', '-12');
    expect(bytes(suffixed)).toBe(MAX_NAME_BYTES);
    expect(suffixed.endsWith('-12.tif')).toBe(true);
    expect(fitFileName('README', '', '-2')).toBe('README-2');
  });

  it('builds folders level by level: a "/" in a shoot name is not a new folder, the source tree is kept when asked', () => {
    const root = path.join(path.sep, 'exports');
    expect(
      renderFolder('{shoot}/Listing', fields({ shoot: 'Smith / Oak St.' }), { seqWidth: 1, exportRoot: root }),
    ).toBe(path.join(root, 'Smith _ Oak St', 'Listing'));
    expect(
      renderFolder('{shoot}', fields(), { seqWidth: 1, exportRoot: root, sourceFolder: 'Day 1/Kitchen:2/../.' }),
    ).toBe(path.join(root, 'Fotó café 写真', 'Day 1', 'Kitchen_2'));
    expect(renderFolder('/Volumes/NAS: Jobs/{date}', fields(), { seqWidth: 1, exportRoot: root })).toBe(
      path.join('/Volumes/NAS: Jobs', '2016-03-24'),
    );
    expect(renderFolder('~/Exports/{shoot}', fields(), { seqWidth: 1, exportRoot: root, homeDir: '/home/ana' })).toBe(
      path.join('/home/ana/Exports', 'Fotó café 写真'),
    );
    expect(
      renderOutputPath({ outputFolder: '{shoot}/{provider}', filenameTemplate: '{name}_{seq}' }, fields(), {
        seqWidth: 2,
        exportRoot: root,
        extension: 'webp',
      }),
    ).toBe(path.join(root, 'Fotó café 写真', 'aixpose', 'IMG_0001_07.webp'));
  });
});

/** Looks at a real folder; `ours` lists the files a (pretend) earlier export wrote. */
function folderFiles(): ExistingFiles {
  return { exists: (file) => Promise.resolve(fs.existsSync(file)) };
}

describe('collision policy', () => {
  it('writes a free name as it is, whatever the policy', async () => {
    const dir = tempDir();
    const wanted = path.join(dir, 'Fotó café 写真_01.jpg');
    for (const policy of ['suffix', 'overwrite', 'skip'] as const) {
      expect(await resolveCollision(wanted, policy, folderFiles())).toEqual({
        action: 'write',
        path: wanted,
        replaces: false,
      });
    }
  });

  it('suffix: "name.jpg" becomes "name-2.jpg", then "name-3.jpg"', async () => {
    const dir = tempDir();
    const wanted = path.join(dir, 'Fotó café 写真_01.jpg');
    fs.writeFileSync(wanted, 'a');
    fs.writeFileSync(path.join(dir, 'Fotó café 写真_01-2.jpg'), 'b');
    expect(await resolveCollision(wanted, 'suffix', folderFiles())).toEqual({
      action: 'write',
      path: path.join(dir, 'Fotó café 写真_01-3.jpg'),
      replaces: false,
      renamed: 'exists',
    });
  });

  it('skip: an existing file is left alone and the item is skipped', async () => {
    const dir = tempDir();
    const wanted = path.join(dir, 'a.jpg');
    fs.writeFileSync(wanted, 'a');
    expect(await resolveCollision(wanted, 'skip', folderFiles())).toMatchObject({ action: 'skip', path: wanted });
  });

  it('overwrite: replaces an existing file, whoever wrote it (the user chose so for this preset)', async () => {
    const dir = tempDir();
    const ours = path.join(dir, 'ours.jpg');
    const theirs = path.join(dir, 'theirs.jpg');
    fs.writeFileSync(ours, 'a');
    fs.writeFileSync(theirs, 'b');
    expect(await resolveCollision(ours, 'overwrite', folderFiles())).toEqual({
      action: 'write',
      path: ours,
      replaces: true,
    });
    expect(await resolveCollision(theirs, 'overwrite', folderFiles())).toEqual({
      action: 'write',
      path: theirs,
      replaces: true,
    });
  });

  it("two items of one run on the same name (even differing only in case) get suffixes, never each other's file", async () => {
    const dir = tempDir();
    const claimed = new ClaimedNames();
    const first = await resolveCollision(path.join(dir, 'Kitchen.jpg'), 'overwrite', folderFiles(), claimed);
    const second = await resolveCollision(path.join(dir, 'kitchen.jpg'), 'overwrite', folderFiles(), claimed);
    const third = await resolveCollision(path.join(dir, 'Kitchen.jpg'), 'skip', folderFiles(), claimed);
    expect(first).toEqual({ action: 'write', path: path.join(dir, 'Kitchen.jpg'), replaces: false });
    expect(second).toEqual({
      action: 'write',
      path: path.join(dir, 'kitchen-2.jpg'),
      replaces: false,
      renamed: 'taken_in_run',
    });
    expect(third).toEqual({
      action: 'write',
      path: path.join(dir, 'Kitchen-3.jpg'),
      replaces: false,
      renamed: 'taken_in_run',
    });
  });
});
