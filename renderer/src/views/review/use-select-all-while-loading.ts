import { useEffect, useRef } from 'react';
import { selectAll, type SelectionState } from '../../components/grid/selection';

/**
 * While a shoot's photos still arrive page by page, a selection that holds every photo shown (Select
 * all, Ctrl/⌘+A, a range over all of them) takes in each new page too: "all" is the whole shoot, not
 * the photos that happened to be in when the key was pressed. Only for pages of the same list (same
 * shoot, same filter): showing more photos by changing the filter adds none to the selection.
 */
export function useSelectAllWhileLoading(
  ids: readonly string[],
  filter: string,
  complete: boolean,
  selection: SelectionState,
  setSelection: (next: SelectionState) => void,
): void {
  const before = useRef({ ids, filter, complete });
  useEffect(() => {
    const previous = before.current;
    before.current = { ids, filter, complete };
    if (previous.complete || previous.filter !== filter || ids.length <= previous.ids.length) return;
    const all = selection.selected;
    if (previous.ids.length === 0 || all.size < previous.ids.length) return;
    if (!previous.ids.every((id) => all.has(id))) return;
    const next = selectAll(selection, ids);
    if (next !== selection) setSelection(next);
  }, [ids, filter, complete, selection, setSelection]);
}
