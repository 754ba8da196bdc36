import type { CostUnit } from '../../../../shared/providers';
import { costWords } from '../queue/cost-words';
import { useProviderUnits } from '../../store/use-provider-units';
import { useEffect, useRef, useState } from 'react';
import type { Recipe } from '../../../../shared/jobs';
import { AppError } from '../../../../shared/errors';
import { RecipeEditor } from '../../components/recipe/RecipeEditor';
import { useClient } from '../../store/context';

interface Estimate {
  jobs: number;
  totalEstimate: number;
  awaitingApproval: number;
  awaitingInput: number;
}

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');

/**
 * Runs a recipe on chosen photos. The cost is estimated with the engine's own rules before
 * anything is sent, and the user confirms with the numbers in front of them.
 */
export function RunRecipeDialog(props: {
  assetIds: readonly string[];
  title: string;
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [recipes, setRecipes] = useState<Recipe[] | null>(null);
  const [recipeId, setRecipeId] = useState<string>('');
  const [estimated, setEstimated] = useState<{ recipeId: string; estimate: Estimate } | null>(null);
  const estimate = estimated?.recipeId === recipeId ? estimated.estimate : null;
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const unitAt = useProviderUnits();
  const { assetIds, onClose } = props;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    client
      .call('recipes.list', {})
      .then((list) => {
        setRecipes(list);
        setRecipeId((current) => current || list[0]?.id || '');
      })
      .catch((caught: unknown) => setError(message(caught)));
  }, [client]);

  useEffect(() => {
    if (!recipeId) return;
    let current = true;
    client
      .call('recipes.estimate', { recipeId, assetIds: [...assetIds] })
      .then((answer) => current && setEstimated({ recipeId, estimate: answer }))
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client, recipeId, assetIds]);

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('recipes.run', { recipeId, assetIds: [...assetIds] });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  const recipe = recipes?.find((candidate) => candidate.id === recipeId);
  return (
    <dialog ref={dialog} className="run-dialog" aria-label={props.title} onCancel={() => onClose(false)}>
      <h2>{props.title}</h2>
      {creating ? (
        <RecipeEditor
          onSaved={(saved) => {
            setRecipes((list) => [...(list ?? []), saved]);
            setRecipeId(saved.id);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : (
        <>
          <label className="field">
            Recipe{' '}
            <select aria-label="Recipe" value={recipeId} onChange={(event) => setRecipeId(event.target.value)}>
              {(recipes ?? []).map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
            </select>{' '}
            <button type="button" className="link-button" onClick={() => setCreating(true)}>
              New recipe…
            </button>
          </label>
          {recipe ? (
            <p className="muted">
              {recipe.provider} · {recipe.operation}
            </p>
          ) : null}
          <p role="status" className="estimate">
            {estimate
              ? `${estimate.jobs} photo${estimate.jobs === 1 ? '' : 's'} · estimated ${formatCost(estimate.totalEstimate, unitAt(recipe?.provider))}` +
                (estimate.awaitingApproval > 0 ? ` · ${estimate.awaitingApproval} will wait for budget approval` : '') +
                (estimate.awaitingInput > 0 ? ` · ${estimate.awaitingInput} need a mask or a garment first` : '')
              : recipeId
                ? 'Estimating…'
                : 'Choose a recipe.'}
          </p>
          {error ? (
            <p role="alert" className="form-error">
              {error}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              disabled={!estimate || busy || estimate.jobs === 0}
              onClick={() => void run()}
            >
              {estimate ? `Run on ${estimate.jobs} photo${estimate.jobs === 1 ? '' : 's'}` : 'Run'}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}

/** What a run would cost, in its provider's unit: "free" for nothing. */
function formatCost(amount: number, unit: CostUnit | undefined): string {
  return amount === 0 ? 'free' : (costWords(amount, unit) ?? 'an unknown amount');
}
