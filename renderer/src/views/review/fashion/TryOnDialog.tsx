import { useEffect, useRef, useState } from 'react';
import type { Garment, PlannedPair } from '../../../../../shared/api-garments';
import { AppError } from '../../../../../shared/errors';
import { PRODUCT_TYPE_WORDS } from '../../../../../shared/garments';
import { FormError } from '../../../components/FormError';
import { photoMedia, useApp, useClient, useMediaUrl } from '../../../store/context';
import { useProviderUnits } from '../../../store/use-provider-units';
import { costWords } from '../../queue/cost-words';
import { ApproveSpendChoice } from './ApproveSpend';
import type { FashionOperation } from './fashion-operations';
import './fashion.css';

/** How persons and garments are paired: the three ways a fashion team works. */
type Pairing = 'matrix' | 'one-garment' | 'one-person';

interface Plan {
  key: string;
  jobs: number;
  totalEstimate: number;
  awaitingApproval: number;
  pairs: PlannedPair[];
}

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');

/**
 * Try-on from a shoot: the selected persons and garments (from this shoot or any other), paired as
 * one garment on many models, many garments on one model, or every garment on every model. The
 * count, the cost and which persons have a painted garment area are the engine's own plan,
 * shown before anything is sent.
 */
export function TryOnDialog(props: {
  shootId: string;
  operation: FashionOperation;
  /** The selected photos of persons (not garments), in grid order. */
  persons: readonly string[];
  /** The selected garments of this shoot, in grid order. */
  garments: readonly string[];
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const { shootId, operation, persons, onClose } = props;
  const client = useClient();
  const mediaUrl = useMediaUrl();
  const unitOf = useProviderUnits();
  const assets = useApp((state) => state.assets);
  const dialog = useRef<HTMLDialogElement>(null);
  const [library, setLibrary] = useState<Garment[] | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(props.garments));
  const [pairing, setPairing] = useState<Pairing>(() => initialPairing(persons.length, props.garments.length));
  const [oneGarment, setOneGarment] = useState<string>(props.garments[0] ?? '');
  const [onePerson, setOnePerson] = useState<string>(persons[0] ?? '');
  const [strength, setStrength] = useState<1 | 2 | 3>(2);
  const [prompt, setPrompt] = useState('');
  const [approve, setApprove] = useState(false);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    let current = true;
    client
      .call('garments.list', {})
      .then((list) => current && setLibrary(list))
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client]);

  const garmentName = (id: string): string => {
    const entry = library?.find((garment) => garment.asset.id === id);
    const asset = entry?.asset ?? assets.find((candidate) => candidate.id === id);
    return asset?.relativePath.split('/').pop() ?? 'A garment';
  };
  const personName = (id: string): string =>
    assets
      .find((asset) => asset.id === id)
      ?.relativePath.split('/')
      .pop() ?? 'A photo';

  // What the run pairs, by the pairing chosen.
  const chosenGarments = (library ?? []).map((garment) => garment.asset.id).filter((id) => chosen.has(id));
  const runPersons = pairing === 'one-person' ? (onePerson ? [onePerson] : []) : [...persons];
  const runGarments = pairing === 'one-garment' ? (oneGarment ? [oneGarment] : []) : chosenGarments;
  // The prompt changes nothing in the plan: typing it does not ask for a new estimate.
  const request = {
    provider: operation.provider,
    operation: operation.operation,
    params: { garmentStrength: strength },
    assetIds: runPersons,
    garments: runGarments.map((id) => ({ kind: 'asset' as const, id })),
  };
  const key = JSON.stringify(request);

  useEffect(() => {
    if (runPersons.length === 0 || runGarments.length === 0) return;
    let current = true;
    const asked = JSON.parse(key) as typeof request;
    client
      .call('operations.estimate', asked)
      .then((answer) => {
        if (!current) return;
        setPlan({ key, ...answer });
        setError(null);
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
    // The request is compared by its JSON (`key`): a new object each render is not a new request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key]);

  const ready = runPersons.length > 0 && runGarments.length > 0;
  const shown = ready && plan?.key === key ? plan : null;
  const unit = unitOf(operation.provider);
  const summary = shown
    ? `${shown.jobs} try-on${shown.jobs === 1 ? '' : 's'} · ${costWords(shown.totalEstimate, unit) ?? 'cost unknown'}`
    : ready
      ? 'Working out the cost…'
      : runGarments.length === 0
        ? 'Choose at least one garment.'
        : 'Choose at least one person.';
  const masked = new Set(shown?.pairs.filter((pair) => pair.mask).map((pair) => pair.picture) ?? []);

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      const params = { ...request.params, ...(prompt.trim() ? { prompt: prompt.trim() } : {}) };
      await client.call('operations.run', { ...request, params, approve });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  const toggle = (id: string): void =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <dialog
      ref={dialog}
      className="run-dialog tryon-dialog"
      aria-label="Virtual try-on"
      onCancel={() => onClose(false)}
    >
      <h2>Virtual try-on · {operation.providerName}</h2>
      <fieldset className="tryon-pairing">
        <legend>Pairing</legend>
        <label>
          <input type="radio" name="pairing" checked={pairing === 'matrix'} onChange={() => setPairing('matrix')} />
          Every chosen garment on every selected person
        </label>
        <label>
          <input
            type="radio"
            name="pairing"
            checked={pairing === 'one-garment'}
            onChange={() => setPairing('one-garment')}
          />
          One garment on each selected person{' '}
          <select
            aria-label="The garment"
            value={oneGarment}
            disabled={pairing !== 'one-garment'}
            onChange={(event) => setOneGarment(event.target.value)}
          >
            <option value="">Choose…</option>
            {(library ?? []).map((garment) => (
              <option key={garment.asset.id} value={garment.asset.id}>
                {garmentName(garment.asset.id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="radio"
            name="pairing"
            checked={pairing === 'one-person'}
            onChange={() => setPairing('one-person')}
          />
          Each chosen garment on one person{' '}
          <select
            aria-label="The person"
            value={onePerson}
            disabled={pairing !== 'one-person'}
            onChange={(event) => setOnePerson(event.target.value)}
          >
            {persons.map((id) => (
              <option key={id} value={id}>
                {personName(id)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <div className="tryon-columns">
        <section aria-label="Garments">
          <h3>Garments</h3>
          {library === null ? (
            <p className="muted">Reading the garments…</p>
          ) : library.length === 0 ? (
            <p className="muted">
              No garments yet. Select garment photos in a shoot and mark them with their product type.
            </p>
          ) : (
            <ul className="tryon-list">
              {library.map(({ asset, shootName }) => (
                <li key={asset.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={chosen.has(asset.id)}
                      disabled={pairing === 'one-garment'}
                      onChange={() => toggle(asset.id)}
                      aria-label={`Garment ${garmentName(asset.id)}`}
                    />
                    <img src={photoMedia(mediaUrl, 'thumbnail', asset)} alt="" />
                    <span>
                      {garmentName(asset.id)}
                      <span className="muted">
                        {' '}
                        · {asset.garment ? PRODUCT_TYPE_WORDS[asset.garment] : ''}
                        {asset.shootId === shootId ? '' : ` · ${shootName}`}
                      </span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-label="Persons">
          <h3>Persons</h3>
          <ul className="tryon-list" data-testid="tryon-persons">
            {runPersons.map((id) => (
              <li key={id}>
                <span>{personName(id)}</span>{' '}
                <span className={masked.has(id) ? 'tryon-mask-painted' : 'muted'}>
                  {shown ? (masked.has(id) ? 'garment area painted' : 'automatic garment area') : ''}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>

      <div className="tryon-settings">
        <label className="field">
          Garment complexity{' '}
          <select
            aria-label="Garment complexity"
            value={strength}
            onChange={(event) => setStrength(Number(event.target.value) as 1 | 2 | 3)}
          >
            <option value={1}>1 · simple</option>
            <option value={2}>2 · usual</option>
            <option value={3}>3 · intricate (layers, patterns)</option>
          </select>
        </label>
        <label className="field tryon-prompt">
          Prompt (optional)
          <textarea
            aria-label="Prompt"
            rows={2}
            maxLength={2000}
            value={prompt}
            placeholder="Tucked in, sleeves rolled up…"
            onChange={(event) => setPrompt(event.target.value)}
          />
        </label>
      </div>

      <p role="status" className="estimate" data-testid="tryon-estimate">
        {summary}
      </p>
      {shown ? <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={shown.awaitingApproval} /> : null}
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!shown || busy} onClick={() => void run()}>
          {shown ? `Run ${shown.jobs} try-on${shown.jobs === 1 ? '' : 's'}` : 'Run'}
        </button>
      </div>
    </dialog>
  );
}

/** The pairing a selection suggests: one garment → on everyone; one person → everything on them. */
function initialPairing(persons: number, garments: number): Pairing {
  if (garments === 1 && persons > 1) return 'one-garment';
  if (persons === 1 && garments > 1) return 'one-person';
  return 'matrix';
}
