import { useMemo } from 'react';
import type { Job, Variant } from '../../../../../shared/jobs';
import { useProviderList } from '../../../store/use-provider-units';
import { exteriorOperations, type ExteriorOperation } from './ExteriorDialog';

export interface ExteriorView {
  /** The operation that builds in a painted garden area, if any provider has one. */
  concept: ExteriorOperation | null;
  /** "More like this" for a result, when its provider makes variations of its own results. */
  variationOf: (variant: Variant | null) => ExteriorOperation | null;
  /** The label a result's operation carries on export ("Concept render — …"), or null. */
  labelOf: (variant: Variant | null) => string | null;
  /** A result's family: "Concept 2" for a first generation and every variation of it; null for others. */
  familyOf: (variant: Variant) => string | null;
}

/**
 * What the photo view knows of exterior concepts: which operations make them and their variations,
 * the label their results carry, and which first generation each variation comes from (results are
 * browsed grouped by it).
 */
export function useExterior(variants: readonly Variant[], jobs: readonly Job[]): ExteriorView {
  const providers = useProviderList();
  return useMemo(() => {
    const { concept, variationFor } = exteriorOperations(providers);
    const jobOf = (variant: Variant | null) => (variant ? jobs.find((job) => job.id === variant.jobId) : undefined);
    const operationOf = (job: Job | undefined) =>
      job
        ? providers
            .find((provider) => provider.id === job.provider)
            ?.operations.find((operation) => operation.name === job.operation)
        : undefined;
    const variationOf = (variant: Variant | null) => {
      const job = jobOf(variant);
      return job ? variationFor(job.provider) : null;
    };
    // The first generation a result descends from: through the results its jobs were run on.
    const rootOf = (variant: Variant): string | null => {
      let job = jobOf(variant);
      for (let depth = 0; job && depth < 50; depth++) {
        const source = job.inputs.source;
        if (source?.kind !== 'variant') return job.id;
        job = jobOf(variants.find((candidate) => candidate.id === source.variantId) ?? null);
      }
      return null;
    };
    const roots: string[] = [];
    const familyOf = (variant: Variant): string | null => {
      if (!variationOf(variant)) return null;
      const root = rootOf(variant);
      if (!root) return null;
      if (!roots.includes(root)) roots.push(root);
      return `Concept ${roots.indexOf(root) + 1}`;
    };
    // Numbered in the order the photo's results were made.
    for (const variant of variants) familyOf(variant);
    return {
      concept,
      variationOf,
      labelOf: (variant) => operationOf(jobOf(variant))?.disclosure ?? null,
      familyOf,
    };
  }, [providers, variants, jobs]);
}
