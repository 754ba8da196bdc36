import type { Db } from '../connection';

/** A numbered schema step. Once a migration has landed it never changes: add a new one instead. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rows rewritten after `sql`, in the same transaction, where SQL alone would be unsafe (values
   * from a provider split and re-encoded as JSON).
   */
  rewrite?: (db: Db) => void;
}
