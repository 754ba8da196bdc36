// Assembles the engine's WebAssembly sources (.wat) into TypeScript modules holding their bytes as
// base64, so the bundler and the worker threads need no .wasm files. Run by `npm run build:wasm`
// after editing a .wat; test/unit/pixels-wasm.test.ts fails while a generated file is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import wabtModule from 'wabt';

export const SOURCES: readonly { wat: string; out: string; name: string }[] = [
  {
    wat: 'main/engine/providers/local/pixels.wat',
    out: 'main/engine/providers/local/pixels-wasm.ts',
    name: 'PIXELS_WASM',
  },
];

/** The module's bytes, assembled with the features it uses. */
export async function assemble(watFile: string): Promise<Buffer> {
  const wabt = await wabtModule();
  const features = { simd: true, bulk_memory: true, threads: true };
  const parsed = wabt.parseWat(path.basename(watFile), fs.readFileSync(watFile, 'utf8'), features);
  try {
    // The package's type declarations leave out validate's features, which it does take.
    (parsed as unknown as { validate: (enabled: typeof features) => void }).validate(features);
    return Buffer.from(parsed.toBinary({ write_debug_names: false }).buffer);
  } finally {
    parsed.destroy();
  }
}

export function generated(name: string, wat: string, bytes: Buffer): string {
  return [
    `// Generated from ${path.basename(wat)} by scripts/build-wasm.ts; edit the .wat and run npm run build:wasm.`,
    `export const ${name} =`,
    `  '${bytes.toString('base64')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const source of SOURCES) {
    fs.writeFileSync(source.out, generated(source.name, source.wat, await assemble(source.wat)));
    process.stdout.write(`${source.out}\n`);
  }
}
