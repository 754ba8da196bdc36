import type * as ExifToolPackage from 'exiftool-vendored';
import type { ExifTool } from 'exiftool-vendored';

/** The package as a dynamic import gives it. */
export type ExifToolModule = typeof ExifToolPackage;
type ExifToolOptions = ConstructorParameters<ExifToolModule['ExifTool']>[0];

let loading: Promise<ExifToolModule> | undefined;

/**
 * exiftool-vendored, loaded on first use: importing it costs the engine's start 50–60 ms and its
 * process 6 MB, which a session that opens no RAW file, carries no metadata and exports nothing
 * never needs back. After a failed load the next use asks again (Node answers a package that threw
 * while loading with the same error; one that was missing is looked for again).
 */
export function loadExifTool(): Promise<ExifToolModule> {
  const load = (loading ??= import('exiftool-vendored'));
  load.catch(() => {
    if (loading === load) loading = undefined;
  });
  return load;
}

/**
 * One ExifTool (one or more perl processes), made on first use by the class that owns it. `end()`
 * stops it, and one still being made; a later `get()` makes a fresh one.
 */
export class LazyExifTool {
  #tool: Promise<ExifTool> | undefined;

  constructor(private readonly options: ExifToolOptions) {}

  get(): Promise<ExifTool> {
    if (this.#tool) return this.#tool;
    const making = loadExifTool().then((module) => new module.ExifTool(this.options));
    // A load or a construction that failed is not kept: the next get() tries again. Only this
    // promise is dropped, never one a later get() made after an end().
    making.catch(() => {
      if (this.#tool === making) this.#tool = undefined;
    });
    this.#tool = making;
    return making;
  }

  async end(): Promise<void> {
    const making = this.#tool;
    this.#tool = undefined;
    const tool = await making?.catch(() => undefined);
    await tool?.end();
  }
}
