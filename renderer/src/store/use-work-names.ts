import { useEffect, useState } from 'react';
import type { Job, Recipe } from '../../../shared/jobs';
import { DEFAULT_UNIT, type CostUnit } from '../../../shared/providers';
import { useClient } from './context';
import { useProviderList } from './use-provider-units';

/** The words for a job's work: its recipe's name, its provider's and operation's, and its cost unit. */
export interface WorkNames {
  /** "Bright interior" (the recipe), else "Enhance · Local" (operation and provider). */
  workOf: (job: Pick<Job, 'recipeId' | 'provider' | 'operation'> | undefined) => string;
  recipeName: (recipeId: string | null) => string | null;
  providerName: (provider: string) => string;
  operationLabel: (provider: string, operation: string) => string;
  unitOf: (provider: string) => CostUnit;
}

/** Recipes and providers, read once per view (names fall back to ids until they have loaded). */
export function useWorkNames(): WorkNames {
  const client = useClient();
  const providers = useProviderList();
  const [recipes, setRecipes] = useState<readonly Recipe[]>([]);
  useEffect(() => {
    let current = true;
    client
      .call('recipes.list', {})
      .then((list) => current && setRecipes(list))
      .catch(() => current && setRecipes([]));
    return () => {
      current = false;
    };
  }, [client]);

  const providerName = (provider: string): string => providers.find((known) => known.id === provider)?.name ?? provider;
  const operationLabel = (provider: string, operation: string): string =>
    providers.find((known) => known.id === provider)?.operations.find((known) => known.name === operation)?.label ??
    operation;
  const recipeName = (recipeId: string | null): string | null =>
    recipeId === null ? null : (recipes.find((recipe) => recipe.id === recipeId)?.name ?? null);
  return {
    workOf: (job) => {
      if (!job) return 'Result';
      return (
        recipeName(job.recipeId) ?? `${operationLabel(job.provider, job.operation)} · ${providerName(job.provider)}`
      );
    },
    recipeName,
    providerName,
    operationLabel,
    unitOf: (provider) => providers.find((known) => known.id === provider)?.unit ?? DEFAULT_UNIT,
  };
}
