import type { Db } from '../db/connection';
import { getJob, type JobRecord } from '../db/jobs-repo';
import { getVariant } from '../db/variants-repo';
import { ALTERING_EFFECTS, disclosureOf, type OperationEffect } from '../../../shared/operation-effects';
import type { DeclaredEffect, EffectOf } from '../providers/operation-effect';

/**
 * What export says about how a picture was made, read from the jobs that made it: its own, and
 * the jobs of the results it was made from.
 */

/** How an item was made, as export discloses it: IPTC's DigitalSourceType, and whether to draw the AI label (in which words). */
export interface ExportDisclosure {
  digitalSourceType: string | null;
  label: boolean;
  /** The operation's own wording for the label ("Concept render"); else the preset's. */
  labelText?: string;
}

export const UNTOUCHED: ExportDisclosure = { digitalSourceType: null, label: false };

/** What an operation declares; one no longer offered is taken as the strongest kind its provider could make. */
function declaredOf(effectOf: EffectOf, job: { provider: string; operation: string }): DeclaredEffect {
  return (
    effectOf(job.provider, job.operation) ?? {
      effect: job.provider === 'local' ? ('edited' as const) : ('composite' as const),
      generative: job.provider !== 'local',
    }
  );
}

/** How far back through results of results a picture's history is read. */
const MAX_HISTORY = 20;

/** The jobs that made a picture, newest first: its own, then the job of each result it was made from. */
export function historyOf(db: Db, job: JobRecord): JobRecord[] {
  const jobs = [job];
  for (let at = job; jobs.length < MAX_HISTORY;) {
    const source = at.inputs.source;
    if (source?.kind !== 'variant') break;
    const made = getVariant(db, source.variantId);
    const earlier = made ? getJob(db, made.jobId) : null;
    if (!earlier) break;
    jobs.push(earlier);
    at = earlier;
  }
  return jobs;
}

/**
 * A picture's disclosure and alteration from its whole history: staged, then upscaled, is still a
 * staged room. The strongest effect along the way is disclosed (its operation's own words win);
 * the nearest job that added or removed content is the alteration logged.
 */
export function disclosureOfHistory(
  effectOf: EffectOf,
  history: readonly JobRecord[],
): { disclosure: ExportDisclosure; altering: JobRecord | null; hides: boolean } {
  let strongest: DeclaredEffect | null = null;
  let altering: JobRecord | null = null;
  let hides = false;
  for (const job of history) {
    const declared = declaredOf(effectOf, job);
    if (!strongest || EFFECT_RANK[declared.effect] > EFFECT_RANK[strongest.effect]) strongest = declared;
    if (!altering && ALTERING_EFFECTS.has(declared.effect)) altering = job;
    hides ||= declared.hides === true;
  }
  if (!strongest) return { disclosure: { ...UNTOUCHED }, altering, hides };
  const disclosure = disclosureOf(strongest.effect, strongest.generative);
  return {
    disclosure: strongest.disclosure ? { ...disclosure, labelText: strongest.disclosure } : disclosure,
    altering,
    hides,
  };
}

const EFFECT_RANK: Readonly<Record<OperationEffect, number>> = {
  none: 0,
  edited: 1,
  retouched: 2,
  composite: 3,
  generated: 4,
};
