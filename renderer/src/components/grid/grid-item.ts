/** What the thumbnail grid shows of a photo, and the words a screen reader hears for it. */

import type { ReactNode } from 'react';

export type GridBadgeKind = 'queued' | 'running' | 'done' | 'error' | 'missing' | 'review' | 'same';

export interface GridBadge {
  kind: GridBadgeKind;
  /** Shown on the chip (for `error`, the message, shown as the chip's tooltip). */
  text: string;
  /** 0…1, for `running`. */
  progress?: number;
}

export interface GridItem {
  id: string;
  /** File name: the cell's accessible name and caption. */
  name: string;
  width: number | null;
  height: number | null;
  pick: 'none' | 'picked' | 'rejected';
  rating: number;
  /** How many of its variants are approved (for export, videos and publishing). */
  approved?: number;
  /** The asset's state (`pending`, `ok`, `error`, `missing`). */
  state: string;
  /** Why an unreadable photo cannot be read and what to do, shown on the tile itself. */
  problem?: { reason: string; remedy: string };
  badge?: GridBadge;
  /** A short word shown beside the name (a garment's product type: "Dress"). */
  tag?: string;
}

/** A caller's own badge for a cell: see `ThumbnailGridProps.renderBadge`. */
export type RenderBadge = (item: GridItem) => ReactNode;

export const BADGE_LABELS: Record<GridBadgeKind, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  error: 'Error',
  missing: 'Missing',
  review: 'Needs review',
  same: 'Same photo',
};

export function clampProgress(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** What a screen reader hears after the file name. */
export function describeItem(item: GridItem, rating: number): string {
  const parts: string[] = [];
  if (item.pick === 'picked') parts.push('Picked');
  if (item.pick === 'rejected') parts.push('Rejected');
  if (rating > 0) parts.push(rating === 1 ? '1 star' : `${rating} stars`);
  if (item.tag) parts.push(item.tag);
  if (item.approved) parts.push(item.approved === 1 ? '1 approved variant' : `${item.approved} approved variants`);
  if (item.state === 'missing') parts.push('File missing');
  if (item.state === 'error') parts.push(`Unreadable: ${item.problem?.reason ?? ''}`);
  if (item.badge) {
    const { kind, text } = item.badge;
    if (kind === 'error') parts.push(`Error: ${text}`);
    else if (kind === 'running' && item.badge.progress !== undefined)
      parts.push(`${text || BADGE_LABELS.running} ${Math.round(clampProgress(item.badge.progress) * 100)}%`);
    else parts.push(text || BADGE_LABELS[kind]);
  }
  return parts.join(', ');
}
