import { statement, writeTransaction, type Db } from './connection';

export type DerivativeKind = 'thumbnail' | 'preview';

export interface DerivativeRow {
  contentHash: string;
  kind: DerivativeKind;
  bytes: number;
}

export function recordDerivative(db: Db, row: DerivativeRow, now: number): void {
  statement(
    db,
    `INSERT INTO derivatives (content_hash, kind, bytes, last_used_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (content_hash, kind) DO UPDATE SET bytes = excluded.bytes, last_used_at = excluded.last_used_at`,
  ).run(row.contentHash, row.kind, row.bytes, now);
}

/** Marks a derivative as just used and returns its recorded size; null if the cache does not know it. */
/** The size recorded for a cached derivative, or null when none is recorded. */
export function derivativeSize(db: Db, contentHash: string, kind: DerivativeKind): number | null {
  const row = statement(db, 'SELECT bytes FROM derivatives WHERE content_hash = ? AND kind = ?').get(
    contentHash,
    kind,
  ) as { bytes: number } | undefined;
  return row?.bytes ?? null;
}

/** Records when derivatives were last used, all in one transaction. */
export function touchDerivatives(
  db: Db,
  touches: readonly { contentHash: string; kind: DerivativeKind; at: number }[],
): void {
  const touch = statement(
    db,
    'UPDATE derivatives SET last_used_at = MAX(last_used_at, ?) WHERE content_hash = ? AND kind = ?',
  );
  writeTransaction(db, () => {
    for (const { contentHash, kind, at } of touches) touch.run(at, contentHash, kind);
  });
}

export function forgetDerivative(db: Db, contentHash: string, kind: DerivativeKind): void {
  statement(db, 'DELETE FROM derivatives WHERE content_hash = ? AND kind = ?').run(contentHash, kind);
}

export function derivativeBytes(db: Db): number {
  const row = statement(db, 'SELECT COALESCE(SUM(bytes), 0) AS total FROM derivatives').get() as { total: number };
  return row.total;
}

/**
 * Picks least-recently-used derivatives until `toFree` bytes are covered and forgets them in one
 * transaction; the caller deletes their files. `keep` is never picked (the file just written).
 */
export function takeLeastRecentlyUsed(
  db: Db,
  toFree: number,
  keep: { contentHash: string; kind: DerivativeKind },
): DerivativeRow[] {
  return writeTransaction(db, () => {
    const rows = statement(
      db,
      `SELECT content_hash AS contentHash, kind, bytes FROM derivatives
       WHERE NOT (content_hash = ? AND kind = ?) ORDER BY last_used_at, content_hash`,
    ).iterate(keep.contentHash, keep.kind) as IterableIterator<DerivativeRow>;
    const taken: DerivativeRow[] = [];
    let freed = 0;
    for (const row of rows) {
      if (freed >= toFree) break;
      taken.push(row);
      freed += row.bytes;
    }
    for (const row of taken) forgetDerivative(db, row.contentHash, row.kind);
    return taken;
  });
}
