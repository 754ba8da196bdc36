import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { Alteration } from './export-sources';

/**
 * What a compliance export writes beside altered pictures: the unaltered original under a paired
 * name, and `alterations.csv` listing every altered picture.
 */

/** An altered picture written by a run, and how it was altered. */
export interface AlteredPicture {
  picture: string;
  alteration: Alteration;
}

/** `Listing_01.jpg` → `Listing_01_original.jpg`: an altered picture's unaltered original, beside it. */
export function pairedOriginalPath(picture: string): string {
  const { dir, name, ext } = path.parse(picture);
  return path.join(dir, `${name}_original${ext}`);
}

/**
 * `alterations.csv`: one row per altered picture written (file, original, provider, operation,
 * parameters, date), in the folder the pictures went to (the export folder when they went to
 * several), paths relative to it. Rows of other runs into that folder stay (an auto-export adds one
 * picture at a time): this run's rows replace any for the same files.
 */
export async function writeAlterationsLog(
  written: readonly AlteredPicture[],
  exportRoot: string,
  signal: AbortSignal,
): Promise<void> {
  if (written.length === 0) return;
  const folders = new Set(written.map((entry) => path.dirname(entry.picture)));
  const [only] = folders;
  const folder = folders.size === 1 && only ? only : exportRoot;
  const relative = (file: string) => path.relative(folder, file).split(path.sep).join('/');
  const rows = new Map<string, string[]>();
  const log = path.join(folder, ALTERATIONS_LOG);
  const earlier = await fs.promises.readFile(log, 'utf8').catch(() => '');
  for (const row of parseCsv(earlier.replace(/^\uFEFF/, '')).slice(1)) if (row[0]) rows.set(row[0], row);
  for (const { picture, alteration } of written) {
    const file = relative(picture);
    rows.set(file, [
      file,
      alteration.withheld
        ? 'withheld (redacted)'
        : alteration.originalAssetId
          ? relative(pairedOriginalPath(picture))
          : '',
      alteration.provider,
      alteration.operation,
      JSON.stringify(alteration.params),
      new Date(alteration.madeAt).toISOString(),
    ]);
  }
  const header = ['file', 'original', 'provider', 'operation', 'parameters', 'date'];
  const text = [header, ...rows.values()].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
  // With a byte order mark, so a spreadsheet reads the accents right.
  await writeFileAtomic(log, Buffer.from(`\uFEFF${text}`, 'utf8'), { overwrite: true, signal });
}

const ALTERATIONS_LOG = 'alterations.csv';

/** Rows of a CSV as this file writes it (RFC 4180: quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[at + 1] === '\n') at++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A field a
 * spreadsheet would read as a formula (= + - @, a tab or a return first) is defused with a quote.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
