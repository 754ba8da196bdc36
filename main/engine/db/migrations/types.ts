/** A numbered schema step. Once a migration has landed it never changes: add a new one instead. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
