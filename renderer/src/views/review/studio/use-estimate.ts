import { useEffect, useState } from 'react';
import { AppError } from '../../../../../shared/errors';
import { useClient } from '../../../store/context';

/**
 * What one job of these parameters costs, asked of the engine (the provider's price list), for the
 * parameters it was asked with: another model is asked again, and nothing is sent before it is known.
 */
export function useEstimate(
  provider: string,
  operation: string,
  params: Record<string, unknown>,
): { credits: number | null; uncertain: boolean; error: string | null } {
  const client = useClient();
  const key = JSON.stringify(params);
  const [answer, setAnswer] = useState<{
    key: string;
    credits: number | null;
    uncertain: boolean;
    error: string | null;
  }>({
    key: '',
    credits: null,
    uncertain: false,
    error: null,
  });
  useEffect(() => {
    let current = true;
    client.call('providers.estimate', { provider, operation, params: JSON.parse(key) as Record<string, unknown> }).then(
      (estimate) =>
        current && setAnswer({ key, credits: estimate.credits, uncertain: estimate.uncertain, error: null }),
      (error: unknown) =>
        current &&
        setAnswer({
          key,
          credits: null,
          uncertain: false,
          error: error instanceof AppError ? error.message : 'The cost could not be worked out.',
        }),
    );
    return () => {
      current = false;
    };
  }, [client, provider, operation, key]);
  return answer.key === key ? answer : { credits: null, uncertain: false, error: null };
}
