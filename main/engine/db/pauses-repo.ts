import { statement, type Db } from './connection';

export type PauseScope = 'global' | 'provider' | 'shoot';

export interface ActivePauses {
  global: boolean;
  providers: Set<string>;
  shoots: Set<string>;
}

export function activePauses(db: Db): ActivePauses {
  const rows = statement(db, 'SELECT scope, scope_id FROM queue_pauses').all() as {
    scope: PauseScope;
    scope_id: string;
  }[];
  return {
    global: rows.some((row) => row.scope === 'global'),
    providers: new Set(rows.filter((row) => row.scope === 'provider').map((row) => row.scope_id)),
    shoots: new Set(rows.filter((row) => row.scope === 'shoot').map((row) => row.scope_id)),
  };
}

export function setPause(db: Db, scope: PauseScope, scopeId: string, reason: string | null, now: number): void {
  db.prepare(
    `INSERT INTO queue_pauses (scope, scope_id, reason, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, scope_id) DO UPDATE SET reason = excluded.reason, at = excluded.at`,
  ).run(scope, scopeId, reason, now);
}

export function clearPause(db: Db, scope: PauseScope, scopeId: string): void {
  db.prepare('DELETE FROM queue_pauses WHERE scope = ? AND scope_id = ?').run(scope, scopeId);
}
