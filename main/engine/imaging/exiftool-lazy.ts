import type * as ExifToolPackage from 'exiftool-vendored';
import type { ExifTool } from 'exiftool-vendored';

/** The package as a dynamic import gives it. */
export type ExifToolModule = typeof ExifToolPackage;
type ExifToolOptions = ConstructorParameters<ExifToolModule['ExifTool']>[0];

let loading: Promise<ExifToolModule> | undefined;

/**
 * exiftool-vendored, loaded on first use: importing it costs the engine's start 50–60 ms and its
 * process 6 MB, which a session that opens no RAW file, carries no metadata and exports nothing
 * never needs back. A failed load is tried again on the next use.
 */
export function loadExifTool(): Promise<ExifToolModule> {
  loading ??= import('exiftool-vendored').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * One ExifTool (one or more perl processes), made on first use by the class that owns it. `end()`
 * stops it, and one still being made; a later `get()` makes a fresh one.
 */
export class LazyExifTool {
  #tool: Promise<ExifTool> | undefined;

  constructor(private readonly options: ExifToolOptions) {}

  get(): Promise<ExifTool> {
    this.#tool ??= loadExifTool().then(
      (module) => new module.ExifTool(this.options),
      (error: unknown) => {
        this.#tool = undefined;
        throw error;
      },
    );
    return this.#tool;
  }

  async end(): Promise<void> {
    const making = this.#tool;
    this.#tool = undefined;
    const tool = await making?.catch(() => undefined);
    await tool?.end();
  }
}
