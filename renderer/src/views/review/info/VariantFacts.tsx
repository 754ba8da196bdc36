import { useEffect, useState } from 'react';
import type { JobDetail, Variant } from '../../../../../shared/jobs';
import { formatAmount } from '../../../../../shared/providers';
import { useApp, useClient } from '../../../store/context';
import type { WorkNames } from '../../../store/use-work-names';
import { Facts, type Fact } from './Facts';
import { formatBytes, formatParam } from './info-format';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/**
 * How a result was made: its recipe, provider and parameters, what it cost, the mask and the picture
 * it was made from, and its job's history; for a result made from a prompt, the prompt first.
 */
export function VariantFacts({
  variant,
  siblings,
  names,
}: {
  variant: Variant;
  /** The photo's variants in the order the photo view numbers them ("Variant 2"). */
  siblings: readonly Variant[];
  names: WorkNames;
}): React.JSX.Element {
  const client = useClient();
  const [read, setRead] = useState<{
    jobId: string;
    detail: JobDetail | null;
    maskName: string | null;
    /** The garment photo's name, read by id: it may be in another shoot. */
    garmentName: string | null;
  } | null>(null);
  const assets = useApp((state) => state.assets);

  useEffect(() => {
    let current = true;
    const jobId = variant.jobId;
    client
      .call('jobs.get', { id: jobId })
      .then(async (job) => {
        const mask = job.inputs.mask;
        const named = mask ? await client.call('masks.get', { id: mask.maskId }).catch(() => null) : null;
        const maskName = mask ? `${named?.name ?? 'Mask'} · version ${mask.version}` : null;
        const garment = job.inputs.garment;
        const garmentName =
          garment?.kind === 'asset'
            ? ((await client.call('assets.names', { ids: [garment.assetId] }).catch(() => null))?.names[
                garment.assetId
              ] ?? null)
            : null;
        if (current) setRead({ jobId, detail: job, maskName, garmentName });
      })
      .catch(() => current && setRead({ jobId, detail: null, maskName: null, garmentName: null }));
    return () => {
      current = false;
    };
  }, [client, variant.jobId]);

  if (!read || read.jobId !== variant.jobId) return <p className="muted">Reading how this was made…</p>;
  const { detail, maskName, garmentName } = read;
  if (!detail) return <p className="info-problem">The job that made this result is no longer known.</p>;
  const prompt = typeof detail.params.prompt === 'string' ? detail.params.prompt : null;
  const source = detail.inputs.source;
  const madeFrom =
    source?.kind === 'asset'
      ? `The original${photoName(assets, source.assetId)} (version ${source.version})`
      : source?.kind === 'variant'
        ? variantName(source.variantId, siblings)
        : detail.inputs.variants
          ? `${detail.inputs.variants.length} approved variants of the shoot`
          : prompt !== null
            ? 'A prompt (no photo)'
            : null;
  const cost = detail.costCharged ?? detail.costEstimate;
  const facts: Fact[] = [
    ['Prompt', prompt],
    ['Recipe', names.recipeName(detail.recipeId) ?? 'None (run directly)'],
    ['Provider', names.providerName(detail.provider)],
    ['Operation', names.operationLabel(detail.provider, detail.operation)],
    [
      'Cost',
      cost === null || cost === 0
        ? 'Free'
        : `${formatAmount(cost, names.unitOf(detail.provider))}${detail.costCharged === null ? ' (estimated)' : ''}`,
    ],
    ['Made from', madeFrom],
    [
      'Garment',
      garmentName !== null
        ? `Photo ${garmentName}`
        : detail.inputs.garment
          ? describeRef(detail.inputs.garment, assets, siblings)
          : null,
    ],
    ['Mask', detail.inputs.mask ? (maskName ?? `version ${detail.inputs.mask.version}`) : null],
    [
      'Result',
      `${variant.mimeType} · ${formatBytes(variant.sizeBytes)}${variant.width ? ` · ${variant.width}×${variant.height}` : ''}`,
    ],
  ];
  const params = Object.entries(detail.params).filter(([param]) => param !== 'prompt');
  return (
    <>
      <Facts facts={facts} testId="variant-facts" />
      {params.length > 0 ? (
        <>
          <h4>Parameters</h4>
          <Facts facts={params.map(([param, value]) => [param, formatParam(value)] as const)} testId="variant-params" />
        </>
      ) : null}
      <h4>Job history</h4>
      <ol className="job-history" data-testid="job-history">
        {detail.events.map((event, index) => (
          <li key={index}>
            <time dateTime={new Date(event.at).toISOString()}>{timeFormat.format(new Date(event.at))}</time>{' '}
            {event.toState.replace('_', ' ')}
            {event.attempt > 1 ? ` (try ${event.attempt})` : ''}
            {event.error ? ` — ${event.error.message}` : readable(event.detail) ? ` — ${event.detail}` : ''}
          </li>
        ))}
      </ol>
    </>
  );
}

function photoName(assets: readonly { id: string; relativePath: string }[], assetId: string): string {
  const asset = assets.find((candidate) => candidate.id === assetId);
  return asset ? ` ${asset.relativePath.split('/').pop() ?? ''}` : '';
}

function variantName(variantId: string, siblings: readonly Variant[]): string {
  const at = siblings.findIndex((candidate) => candidate.id === variantId);
  if (at >= 0) return `Variant ${at + 1}`;
  return 'An earlier result';
}

function describeRef(
  ref: NonNullable<JobDetail['inputs']['garment']>,
  assets: readonly { id: string; relativePath: string }[],
  siblings: readonly Variant[],
): string {
  if (ref.kind === 'asset') return `Photo${photoName(assets, ref.assetId)}`;
  return variantName(ref.variantId, siblings);
}

/** An event's detail when it is words; the engine's own records (JSON) are not for this panel. */
function readable(detail: string | null): detail is string {
  return detail !== null && !/^[[{]/.test(detail.trim());
}
