#!/usr/bin/env node
// Writes test/fixtures/corpus-heads.json: the first 32 bytes of every file in the shared corpus
// (../shared/corpus, beside the checkout) with its MANIFEST.tsv `expect` and `format` columns, so
// format sniffing is tested on real headers without copying the whole corpus into the repo.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '..', 'shared', 'corpus');
const [header, ...lines] = fs.readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
const columns = header.split('\t');
const files = lines.map((line) => {
  const cells = line.split('\t');
  const row = Object.fromEntries(columns.map((column, index) => [column, cells[index]]));
  const fd = fs.openSync(path.join(corpus, row.file), 'r');
  const head = Buffer.alloc(32);
  const read = fs.readSync(fd, head, 0, 32, 0);
  fs.closeSync(fd);
  return { file: row.file, expect: row.expect, format: row.format, head: head.subarray(0, read).toString('base64') };
});
const note =
  'First 32 bytes of each shared corpus file, with its MANIFEST expect and format. Made by scripts/make-corpus-heads.mjs.';
fs.writeFileSync(
  path.join(root, 'test', 'fixtures', 'corpus-heads.json'),
  `${JSON.stringify({ note, files }, null, 1)}\n`,
);
process.stdout.write(`wrote ${files.length} headers\n`);
