#!/usr/bin/env node
// Draws build/icon.png (512×512): a dark rounded tile with an accent aperture ring and a
// horizon line, the "shoot" and the "line". Pure Node (zlib), so it runs on any machine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const size = 512;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'icon.png');
const bg = [28, 28, 30];
const accent = [77, 141, 255];
const light = [230, 230, 230];

function coverage(distanceOutside) {
  return Math.max(0, Math.min(1, 0.5 - distanceOutside));
}

const rows = [];
for (let y = 0; y < size; y += 1) {
  const row = Buffer.alloc(1 + size * 4);
  for (let x = 0; x < size; x += 1) {
    const px = x + 0.5;
    const py = y + 0.5;
    // Rounded tile.
    const r = 96;
    const qx = Math.max(Math.abs(px - size / 2) - (size / 2 - 16 - r), 0);
    const qy = Math.max(Math.abs(py - size / 2) - (size / 2 - 16 - r), 0);
    const tile = coverage(Math.hypot(qx, qy) - r);
    let color = bg;
    const d = Math.hypot(px - size / 2, py - size / 2);
    const ring = coverage(Math.abs(d - 150) - 22);
    const line = coverage(Math.abs(py - size / 2) - 9) * coverage(Math.abs(px - size / 2) - 200);
    let mix = [...color];
    mix = mix.map((c, i) => c + (accent[i] - c) * ring);
    mix = mix.map((c, i) => c + (light[i] - c) * line);
    color = mix;
    const o = 1 + x * 4;
    row[o] = Math.round(color[0]);
    row[o + 1] = Math.round(color[1]);
    row[o + 2] = Math.round(color[2]);
    row[o + 3] = Math.round(255 * tile);
  }
  rows.push(row);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
process.stdout.write(`wrote ${out}\n`);
