import { CALL_TIMEOUTS_MS, ProviderRequestError } from '../../net/http';
import type { ReconcileContext, ReconcileOutcome } from '../contract';
import { readGenerationList, type Generation } from './answers';
import { callAivs } from './calls';

/** A page of the listing, the doc's maximum. */
const PAGE = 100;
/** Pages read at most, newest first: a lost submit is minutes old, not thousands of generations. */
const MAX_PAGES = 5;
/** The `Date` header counts whole seconds, and clocks drift between two reads: a margin either way. */
const MARGIN_MS = 5_000;

/** What the lost request asked for. */
export interface LostRequest {
  type: 'image' | 'video';
  model: string;
  prompt: string;
}

/**
 * Looks for the generation a lost submit made, in `GET /generations` (the one provider that lists
 * our own work). A candidate is of the same type, model and prompt, created between the moment
 * the request left and the moment it would have timed out — in the provider's clock, which the
 * listing's own `Date` header gives (this machine's clock may be minutes off). It is adopted only
 * when it is the one candidate no job holds and no other job sent the same request unanswered;
 * none, or several, go to review: never a sibling's work, never a second charge.
 */
export async function findLostGeneration(
  context: ReconcileContext,
  /** What a job's operation and parameters ask for, as the listing shows it. */
  requestOf: (operation: string, params: Record<string, unknown>) => LostRequest,
): Promise<ReconcileOutcome> {
  const want = requestOf(context.job.operation, context.job.params);
  const candidates = new Map<string, Generation>();
  let window: { from: number; to: number } | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ type: want.type, limit: String(PAGE), offset: String(page * PAGE) });
    const response = await callAivs(
      context,
      { method: 'GET', url: `${context.baseUrl}/api/v1/generations?${query.toString()}`, call: 'poll' },
      'read',
    );
    window ??= windowOf(context, response.header('date'));
    const listed = readGenerationList(response.body);
    if (!listed) {
      throw new ProviderRequestError('AI Visual Studio listed its generations in a form Shootline cannot read.', {
        kind: 'invalid_response',
      });
    }
    const { from, to } = window;
    for (const generation of listed) {
      // A generation whose time cannot be read is kept: it can send the job to review, never be adopted.
      if (matches(generation, want) && (generation.createdAt === null || inWindow(generation.createdAt, from, to))) {
        // By id: offset pages shift as new generations are made, so one may be listed twice.
        candidates.set(generation.id, generation);
      }
    }
    // Newest first (the common order; the doc does not say): once a page reaches back before the
    // window, older pages cannot hold it. Listed oldest first, the pages are read to the bound.
    const first = listed[0]?.createdAt ?? null;
    const last = listed.at(-1)?.createdAt ?? null;
    const newestFirst = first !== null && last !== null && first >= last;
    if (listed.length < PAGE || (newestFirst && last < from)) break;
  }
  // Both read now, after the listing: a job that sent meanwhile and got its answer holds its
  // generation (claimed), one still waiting for its answer is a rival.
  const claimed = context.claimed([...candidates.keys()]);
  const unclaimed = [...candidates.values()].filter((generation) => !claimed.has(generation.id));
  const rivals = context.rivals().filter((rival) => sameRequest(requestOf(rival.operation, rival.params), want)).length;
  const [only] = unclaimed;
  if (unclaimed.length === 1 && only && only.createdAt !== null && rivals === 0) {
    return {
      outcome: 'adopt',
      remote: { id: only.id, data: { kind: want.type, model: want.model } },
      ...(only.charged === undefined ? {} : { charged: only.charged }),
    };
  }
  if (unclaimed.length === 0) {
    return {
      outcome: 'review',
      reason:
        'The answer to this job was lost, and no matching generation was found in AI Visual Studio’s list of your work around the time it was sent: it may not have arrived, or not be listed yet. Resend (it may be charged again) or discard.',
    };
  }
  const others = rivals > 0 ? `, and ${rivals} other job(s) sent the same request unanswered` : '';
  const untimed = unclaimed.length === 1 && only?.createdAt === null ? ' (its time could not be read)' : '';
  return {
    outcome: 'review',
    reason: `The answer to this job was lost, and ${unclaimed.length} generation(s)${untimed} in AI Visual Studio match its prompt, model and time${others}: Shootline cannot tell which one is this job's. Look in your AI Visual Studio history, then resend or discard.`,
  };
}

/** Two requests the listing cannot tell apart (type, model and prompt are all it shows). */
function sameRequest(a: LostRequest, b: LostRequest): boolean {
  return a.type === b.type && a.model === b.model && a.prompt.trim() === b.prompt.trim();
}

/** Same type (when listed), same model (when listed), the very prompt. */
function matches(generation: Generation, want: LostRequest): boolean {
  if (generation.type !== null && generation.type !== want.type) return false;
  if (generation.model !== null && generation.model !== want.model) return false;
  return generation.prompt !== null && generation.prompt.trim() === want.prompt.trim();
}

function inWindow(at: number, from: number, to: number): boolean {
  return at >= from && at <= to;
}

/**
 * When the lost request may have been created, in the provider's clock: from when it left to
 * when it would have timed out, moved by how far the provider's clock is from ours (the listing's
 * `Date` header against this machine's clock now). Without a readable `Date`, our clock is taken.
 */
function windowOf(context: ReconcileContext, dateHeader: string | null): { from: number; to: number } {
  const serverNow = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  const skew = Number.isFinite(serverNow) ? serverNow - context.now() : 0;
  const sent = context.lost.sentAt + skew;
  return { from: sent - MARGIN_MS, to: sent + CALL_TIMEOUTS_MS.submit + MARGIN_MS };
}
