export interface WasmSource {
  wat: string;
  out: string;
  name: string;
}
export const SOURCES: readonly WasmSource[];
export function assemble(watFile: string): Promise<Buffer>;
export function generated(name: string, wat: string, bytes: Buffer): string;
