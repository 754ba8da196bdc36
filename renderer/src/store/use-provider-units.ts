import { useEffect, useState } from 'react';
import { MaskPurposeSchema, type MaskPurpose } from '../../../shared/mask';
import { DEFAULT_UNIT, type CostUnit, type ProviderView } from '../../../shared/providers';
import { useClient } from './context';

/** The providers and their operations, read once per view (empty until loaded, or when the engine cannot say). */
export function useProviderList(): readonly ProviderView[] {
  const client = useClient();
  const [providers, setProviders] = useState<readonly ProviderView[]>([]);
  useEffect(() => {
    let current = true;
    client
      .call('providers.list', {})
      .then((list) => current && setProviders(list))
      .catch(() => current && setProviders([]));
    return () => {
      current = false;
    };
  }, [client]);
  return providers;
}

/**
 * Each provider's cost unit (AIXpose credits, ProductAI tokens…): a lookup that answers the
 * default unit until the list has loaded, or for a provider it does not know.
 */
export function useProviderUnits(): (provider: string | undefined) => CostUnit {
  const providers = useProviderList();
  return (provider) => providers.find((known) => known.id === provider)?.unit ?? DEFAULT_UNIT;
}

/** The purpose of the mask a job's operation takes ("redact", "exterior"…), or null when it takes none. */
export function useMaskPurposeOf(): (job: { provider: string; operation: string }) => MaskPurpose | null {
  const providers = useProviderList();
  return (job) => {
    const operation = providers
      .find((provider) => provider.id === job.provider)
      ?.operations.find((candidate) => candidate.name === job.operation);
    const parsed = MaskPurposeSchema.safeParse(operation?.inputs.mask?.purpose);
    return parsed.success ? parsed.data : null;
  };
}
