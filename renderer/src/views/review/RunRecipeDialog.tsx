import { FormError } from '../../components/FormError';
import type { CostUnit } from '../../../../shared/providers';
import { costWords } from '../queue/cost-words';
import { useMaskPurposeOf, useProviderUnits } from '../../store/use-provider-units';
import type { Mask } from '../../../../shared/mask';
import { useEffect, useRef, useState } from 'react';
import type { Recipe } from '../../../../shared/jobs';
import { AppError } from '../../../../shared/errors';
import { RecipeEditor } from '../../components/recipe/RecipeEditor';
import { useApp, useClient } from '../../store/context';

interface Estimate {
  jobs: number;
  totalEstimate: number;
  awaitingApproval: number;
  awaitingInput: number;
  /** Photos the run leaves out because the operation would refuse them, known now rather than after a failure. */
  refused: { id: string; reason: string }[];
  /** Photos this recipe already made exactly this result for (a deterministic provider): a rerun only copies it. */
  repeats: string[];
}

/** How many refusals are listed by name before "and N more". */
const LISTED_REFUSALS = 5;

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
  const [leaveRepeats, setLeaveRepeats] = useState(true);
  const unitAt = useProviderUnits();
  const maskPurposeOf = useMaskPurposeOf();
  const assets = useApp((state) => state.assets);
  const nameOf = (id: string): string =>
    assets
      .find((asset) => asset.id === id)
      ?.relativePath.split('/')
      .pop() ?? 'A photo';
  const { assetIds, onClose } = props;
  const recipe = recipes?.find((candidate) => candidate.id === recipeId);
  // On one photo, an operation that takes a mask offers that photo's masks of its purpose.
  const purpose = recipe && assetIds.length === 1 ? maskPurposeOf(recipe) : null;
  const [masks, setMasks] = useState<{ key: string; list: Mask[] } | null>(null);
  const [maskId, setMaskId] = useState<string>('');
  const onlyAsset = assetIds.length === 1 ? (assetIds[0] ?? null) : null;
  const maskKey = onlyAsset && purpose ? `${onlyAsset}/${purpose}` : null;
  const offered = masks && masks.key === maskKey ? masks.list : [];
  const chosenMask = offered.find((mask) => mask.id === maskId) ?? offered[0] ?? null;
  const chosen = chosenMask ? [chosenMask.id] : [];
  const chosenKey = chosen.join(',');

  useEffect(() => {
    if (!onlyAsset || !purpose || !maskKey) return;
    let current = true;
    client
      .call('masks.list', { assetId: onlyAsset })
      .then((list) => {
        if (!current) return;
        // Newest first: the one a job would take by default leads.
        const fitting = list.filter((mask) => mask.purpose === purpose).sort((a, b) => b.updatedAt - a.updatedAt);
        setMasks({ key: maskKey, list: fitting });
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client, maskKey, onlyAsset, purpose]);

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
      .call('recipes.estimate', { recipeId, assetIds: [...assetIds], masks: chosenKey ? chosenKey.split(',') : [] })
      .then((answer) => current && setEstimated({ recipeId, estimate: answer }))
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client, recipeId, assetIds, chosenKey]);

  const repeats = estimate?.repeats ?? [];
  const leftOut = leaveRepeats ? new Set(repeats) : new Set<string>();
  const toRun = assetIds.filter((id) => !leftOut.has(id));
  const jobs = estimate ? estimate.jobs - (assetIds.length - toRun.length) : 0;

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('recipes.run', { recipeId, assetIds: toRun, masks: chosen });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

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
          {purpose && offered.length > 0 ? (
            <label className="field">
              Mask{' '}
              <select
                aria-label="Mask"
                value={chosenMask?.id ?? ''}
                onChange={(event) => setMaskId(event.target.value)}
              >
                {offered.map((mask) => (
                  <option key={mask.id} value={mask.id}>
                    {mask.name} · version {mask.version}
                  </option>
                ))}
              </select>
            </label>
          ) : purpose && masks?.key === maskKey ? (
            <p className="muted">This photo has no {purpose} mask yet: the job will wait until one is painted.</p>
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
          {estimate && estimate.refused.length > 0 ? (
            <div className="form-error" role="note" data-testid="run-refused">
              {estimate.refused.length === 1 ? '1 photo is' : `${estimate.refused.length} photos are`} left out: the
              recipe would refuse {estimate.refused.length === 1 ? 'it' : 'them'}.
              <ul>
                {estimate.refused.slice(0, LISTED_REFUSALS).map((refusal) => (
                  <li key={refusal.id}>
                    {nameOf(refusal.id)}: {refusal.reason}
                  </li>
                ))}
                {estimate.refused.length > LISTED_REFUSALS ? (
                  <li>and {estimate.refused.length - LISTED_REFUSALS} more</li>
                ) : null}
              </ul>
            </div>
          ) : null}
          {repeats.length > 0 ? (
            <div className="form-note" role="note" data-testid="run-repeats">
              {repeats.length === 1
                ? `${nameOf(repeats[0] ?? '')} already has`
                : `${repeats.length} photos already have`}{' '}
              exactly this result: this recipe gives the same picture each time, so running it again only makes an
              identical copy.
              <label className="run-repeats-choice">
                <input
                  type="checkbox"
                  checked={leaveRepeats}
                  onChange={(event) => setLeaveRepeats(event.target.checked)}
                />
                Leave {repeats.length === 1 ? 'it' : 'them'} out
              </label>
            </div>
          ) : null}
          <FormError error={error} />
          <div className="dialog-actions">
            <button type="button" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              disabled={!estimate || busy || jobs <= 0}
              onClick={() => void run()}
            >
              {estimate ? `Run on ${jobs} photo${jobs === 1 ? '' : 's'}` : 'Run'}
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
