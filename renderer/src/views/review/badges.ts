import type { Asset } from '../../../../shared/domain';
import { isActive, isTerminal } from '../../../../shared/job-model';
import type { Job, Variant } from '../../../../shared/jobs';
import type { GridBadge } from '../../components/grid/ThumbnailGrid';

/**
 * The one badge a thumbnail shows: what matters most about the photo right now. A photo that could
 * not be read shows its error; otherwise the newest job decides (waiting, running, needs review,
 * failed), and a photo with nothing pending shows how many variants it has.
 */
export function assetBadge(asset: Asset, jobs: readonly Job[], variants: readonly Variant[]): GridBadge | undefined {
  if (asset.state === 'error') return { kind: 'error', text: asset.error?.message ?? 'This photo cannot be read.' };
  if (asset.state === 'missing') return { kind: 'missing', text: 'The file is no longer in its hot folder.' };
  const pending = jobs.filter((job) => !isTerminal(job.state));
  const review = pending.find((job) => job.state === 'needs_review');
  if (review) return { kind: 'review', text: 'Needs review' };
  if (pending.some((job) => isActive(job.state))) return { kind: 'running', text: 'Running' };
  const waiting = pending[0];
  if (waiting) {
    const text =
      waiting.waitingFor === 'approval'
        ? 'Awaiting approval'
        : waiting.waitingFor === 'mask'
          ? 'Needs a mask'
          : 'Queued';
    return { kind: 'queued', text };
  }
  const latest = jobs.at(-1);
  const made = `${variants.length} variant${variants.length > 1 ? 's' : ''}`;
  if (latest?.state === 'failed') {
    // A photo with good variants is not broken because one more job failed: it says both.
    if (variants.length > 0) return { kind: 'done', text: `${made} · last job failed` };
    return { kind: 'error', text: latest.lastError?.message ?? 'The job failed.' };
  }
  if (variants.length > 0) return { kind: 'done', text: made };
  if (asset.sameAs) return { kind: 'same', text: sameAsWords(asset) };
  return undefined;
}

/** "Same photo as IMG_2.jpg in Maple St" (or "in this shoot") for a byte copy of an earlier photo. */
export function sameAsWords(asset: Pick<Asset, 'sameAs' | 'shootId'>): string {
  const same = asset.sameAs;
  if (!same) return '';
  const name = same.relativePath.split('/').pop() ?? same.relativePath;
  return `Same photo as ${name} in ${same.shootId === asset.shootId ? 'this shoot' : same.shootName}`;
}
