import { useEffect, useState } from 'react';
import { DEFAULT_UNIT, type CostUnit } from '../../../shared/providers';
import { useClient } from './context';

/**
 * Each provider's cost unit (AIXpose credits, ProductAI tokens…), read once per view: a lookup that
 * answers the default unit until the list has loaded, or for a provider it does not know.
 */
export function useProviderUnits(): (provider: string | undefined) => CostUnit {
  const client = useClient();
  const [units, setUnits] = useState<Record<string, CostUnit>>({});
  useEffect(() => {
    let current = true;
    client
      .call('providers.list', {})
      .then((list) => current && setUnits(Object.fromEntries(list.map((provider) => [provider.id, provider.unit]))))
      .catch(() => current && setUnits({}));
    return () => {
      current = false;
    };
  }, [client]);
  return (provider) => (provider && Object.hasOwn(units, provider) ? (units[provider] ?? DEFAULT_UNIT) : DEFAULT_UNIT);
}
