import fs from 'node:fs';
import path from 'node:path';

/** The shared photo corpus, copied into the repo so a clean clone has it. */
export const CORPUS_DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'corpus');

export interface CorpusEntry {
  /** Relative to the corpus folder, e.g. "bad/zero-bytes.jpg". */
  file: string;
  /** "ok" or "error:<kind>". */
  expect: string;
  format: string;
  width: number | null;
  height: number | null;
  orientation: number | null;
}

/** The rows of MANIFEST.tsv (tab-separated, a header line, quoted notes never hold tabs). */
export function corpusManifest(): CorpusEntry[] {
  const [header = '', ...lines] = fs.readFileSync(path.join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').split('\n');
  const columns = header.split('\t');
  const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  const number = (text: string): number | null => (/^\d+$/.test(text) ? Number(text) : null);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cells = line.split('\t');
      return {
        file: at(cells, 'file'),
        expect: at(cells, 'expect'),
        format: at(cells, 'format'),
        width: number(at(cells, 'width')),
        height: number(at(cells, 'height')),
        orientation: number(at(cells, 'orientation')),
      };
    });
}

export function corpusPath(file: string): string {
  return path.join(CORPUS_DIR, ...file.split('/'));
}

/** Ten ordinary corpus photos of different cameras and sizes, for runs through a provider. */
export const TEN_PHOTOS = [
  'photos/storm_canon-400d.jpg',
  'photos/dune_canon-rebel.jpg',
  'photos/fog_hp-photosmart735.jpg',
  'photos/bythewater_nokia-n9.jpg',
  'photos/panasonic-gf1_orient6.jpg',
  'photos/canon-s400_odd-exif-offsets.jpg',
  'photos/grace_hopper.jpg',
  'photos/cat_grayscale.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
  'photos/after-the-rain_pentax-k7_srgb.jpg',
] as const;
