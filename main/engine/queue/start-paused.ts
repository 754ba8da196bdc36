import type { Db } from '../db/connection';
import { setPause } from '../db/pauses-repo';
import { loadSettings } from '../db/settings-service';
import type { Logger } from '../log';

/** With "start the queue paused" set, the queue starts paused: nothing is sent until the user resumes. */
export function pauseIfSetToStartPaused(db: Db, log: Logger, now: number): void {
  if (loadSettings(db, log).startQueuePaused) setPause(db, 'global', '', 'started paused (setting)', now);
}
