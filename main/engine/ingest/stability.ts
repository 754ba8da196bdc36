/**
 * Write-finish detection: a file is taken only once its size and modification time have not
 * changed for a whole window (default 2 s). Copies from card readers, sync tools and network
 * drives arrive in pieces and may pause; a file that changes after it was taken is reported as
 * changed, so it is taken again and nothing runs on the incomplete version.
 */
export interface FileStat {
  size: number;
  mtimeMs: number;
}

export type Observation =
  { status: 'waiting' } | { status: 'stable'; stat: FileStat } | { status: 'changed_after_taken'; stat: FileStat };

interface Tracked {
  stat: FileStat;
  since: number;
  taken: FileStat | null;
}

export class WriteFinishTracker {
  private readonly windowMs: number;
  private readonly files = new Map<string, Tracked>();

  constructor(windowMs = 2_000) {
    this.windowMs = windowMs;
  }

  /**
   * Records what the file looks like now. `stable` is reported once per version of the file: the
   * first time it has been unchanged for the window; after that the same version is `waiting`
   * (nothing to do) until it changes and settles again (`changed_after_taken`).
   */
  observe(file: string, stat: FileStat, now: number): Observation {
    const tracked = this.files.get(file);
    if (!tracked || !sameStat(tracked.stat, stat)) {
      this.files.set(file, { stat, since: now, taken: tracked?.taken ?? null });
      return { status: 'waiting' };
    }
    if (now - tracked.since < this.windowMs) return { status: 'waiting' };
    if (tracked.taken && sameStat(tracked.taken, stat)) return { status: 'waiting' };
    const wasTaken = tracked.taken !== null;
    tracked.taken = stat;
    return wasTaken ? { status: 'changed_after_taken', stat } : { status: 'stable', stat };
  }

  /** When the next observation of this file could report it stable (for the caller's timer). */
  settlesAt(file: string): number | null {
    const tracked = this.files.get(file);
    return tracked ? tracked.since + this.windowMs : null;
  }

  forget(file: string): void {
    this.files.delete(file);
  }
}

function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
