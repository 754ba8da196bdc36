/**
 * The photos recorded in a folder whose files a scan did not find, to be marked missing. An empty
 * folder where photos were is far more often an unmounted drive or a card taken out than a shoot
 * deleted: then nothing is marked until files are seen there again. Nothing below a folder the scan
 * could not list is marked either: it was not seen, which is not the same as gone.
 */
export function missingAfterScan(
  known: ReadonlyMap<string, unknown>,
  found: ReadonlySet<string>,
  unreadable: readonly string[],
): string[] {
  if (found.size === 0 && known.size > 0) return [];
  if (unreadable.includes('')) return [];
  const hidden = (relative: string): boolean => unreadable.some((folder) => relative.startsWith(`${folder}/`));
  return [...known.keys()].filter((relative) => !found.has(relative) && !hidden(relative));
}
