import { matchCommand, type KeyPress } from '../../../../shared/commands';
import type { CullChange } from '../../store/culling-slice';

/** The grid's culling keys (P, X, U, 0–5) as a change to a photo or an item, or null for any other key. */
export function gridCullingChange(event: KeyPress): CullChange | null {
  const command = matchCommand('grid', event)?.id;
  if (command === 'grid.pick') return { pick: 'picked' };
  if (command === 'grid.reject') return { pick: 'rejected' };
  if (command === 'grid.unflag') return { pick: 'none' };
  if (command === 'grid.rate') return { rating: Number(event.key) };
  return null;
}
