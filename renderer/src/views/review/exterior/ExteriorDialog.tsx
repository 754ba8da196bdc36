import { useEffect, useRef, useState } from 'react';
import type { Asset } from '../../../../../shared/domain';
import { AppError } from '../../../../../shared/errors';
import type { Variant } from '../../../../../shared/jobs';
import type { Mask } from '../../../../../shared/mask';
import { formatAmount, type ProviderView } from '../../../../../shared/providers';
import { FormError } from '../../../components/FormError';
import { useApp, useClient } from '../../../store/context';
import { ApproveSpendChoice } from '../fashion/ApproveSpend';
import '../fashion/fashion.css';

/** The kinds of exterior the operation offers, read from its parameter schema, with the words for them. */
const KIND_WORDS: Record<string, string> = { TERRACE: 'Terrace', POOL: 'Pool', PETANQUE: 'Pétanque ground' };

export interface ExteriorOperation {
  provider: ProviderView;
  operation: ProviderView['operations'][number];
}

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');

/**
 * An exterior concept from a photo's painted garden area, or "More like this" on a result: the
 * kind to build, the area it goes in (painted, or the one the result was made with), and the cost
 * with the photos left, before anything is sent.
 */
export function ExteriorDialog(props: {
  asset: Asset;
  /** A result to make a variation of; absent for a first concept from the photo. */
  variant?: Variant;
  exterior: ExteriorOperation;
  /** The kind to start on: a variation starts on the kind its result was built as. */
  kind?: string;
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const { asset, variant, exterior, onClose } = props;
  const client = useClient();
  const paintMask = useApp((state) => state.paintMask);
  const dialog = useRef<HTMLDialogElement>(null);
  const kinds = kindsOf(exterior.operation);
  const [kind, setKind] = useState<string>(
    props.kind && kinds.includes(props.kind) ? props.kind : kinds.includes('POOL') ? 'POOL' : (kinds[0] ?? ''),
  );
  const [mask, setMask] = useState<{ read: boolean; latest: Mask | null }>({ read: false, latest: null });
  const [plan, setPlan] = useState<{ key: string; total: number; waiting: number } | null>(null);
  const [approve, setApprove] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = variant ? 'More like this' : 'Exterior concept';
  const request = {
    provider: exterior.provider.id,
    operation: exterior.operation.name,
    params: { roomType: kind },
    ...(variant ? { variantIds: [variant.id] } : { assetIds: [asset.id] }),
  };
  const key = JSON.stringify(request);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  // The photos left as of the last generation: read now, not when the view opened.
  const [balance, setBalance] = useState<number | null>(exterior.provider.balance);
  useEffect(() => {
    let current = true;
    client
      .call('providers.list', {})
      .then((list) => {
        const now = list.find((provider) => provider.id === exterior.provider.id);
        if (current && now) setBalance(now.balance);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [client, exterior.provider.id]);

  useEffect(() => {
    let current = true;
    client
      .call('masks.list', { assetId: asset.id })
      .then((list) => {
        const latest = list
          .filter((entry) => entry.purpose === 'exterior')
          .sort((a, b) => b.updatedAt - a.updatedAt)[0];
        if (current) setMask({ read: true, latest: latest ?? null });
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client, asset.id]);

  useEffect(() => {
    let current = true;
    client
      .call('operations.estimate', JSON.parse(key) as typeof request)
      .then((answer) => {
        if (!current) return;
        setPlan({ key, total: answer.totalEstimate, waiting: answer.awaitingApproval });
        setError(null);
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
    // Compared by its JSON (`key`), not by the object made each render.
  }, [client, key]);

  // Nothing runs before the area is known: a concept needs one painted.
  const needsArea = !variant && (!mask.read || mask.latest === null);
  const shown = plan?.key === key ? plan : null;
  const { unit } = exterior.provider;

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('operations.run', { ...request, approve });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="run-dialog" aria-label={name} onCancel={() => onClose(false)}>
      <h2>
        {name} · {exterior.provider.name}
      </h2>
      <fieldset className="tryon-pairing">
        <legend>What to build</legend>
        {kinds.map((option) => (
          <label key={option}>
            <input type="radio" name="kind" checked={kind === option} onChange={() => setKind(option)} />{' '}
            {KIND_WORDS[option] ?? option}
          </label>
        ))}
      </fieldset>
      <p data-testid="exterior-area">
        {!mask.read
          ? 'Reading the painted area…'
          : mask.latest === null
            ? 'No garden area is painted on this photo yet.'
            : variant
              ? `The area the result was made in, or the one painted since (${mask.latest.name} · version ${mask.latest.version}).`
              : `In the painted area: ${mask.latest.name} · version ${mask.latest.version}.`}{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            onClose(false);
            paintMask(asset.id, 'exterior');
          }}
        >
          {mask.latest ? 'Repaint the area…' : 'Paint the area…'}
        </button>
      </p>
      <p role="status" className="estimate" data-testid="exterior-estimate">
        {shown
          ? `${formatAmount(shown.total, unit)}${balance === null ? '' : ` · ${formatAmount(balance, unit)} left`}`
          : 'Working out the cost…'}
      </p>
      <p className="muted">
        The result is a concept render: exports label it “Concept render — not the property as it is”.
      </p>
      {shown ? <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={shown.waiting} /> : null}
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!shown || busy || needsArea} onClick={() => void run()}>
          {variant ? 'Make a variation' : `Build a ${(KIND_WORDS[kind] ?? kind).toLowerCase()}`}
        </button>
      </div>
    </dialog>
  );
}

/** The exterior kinds an operation's schema offers (its `roomType` enum). */
function kindsOf(operation: ProviderView['operations'][number]): string[] {
  const schema = operation.paramsSchema as { properties?: { roomType?: { enum?: unknown[] } } };
  return (schema.properties?.roomType?.enum ?? []).filter((value): value is string => typeof value === 'string');
}

/** The operations of a painted exterior: the first concept from a photo, and variations of a result. */
export function exteriorOperations(providers: readonly ProviderView[]): {
  concept: ExteriorOperation | null;
  variationFor: (provider: string) => ExteriorOperation | null;
} {
  const find = (fits: (operation: ProviderView['operations'][number]) => boolean, only?: string) => {
    for (const provider of providers) {
      if (only && provider.id !== only) continue;
      const operation = provider.operations.find(fits);
      if (operation) return { provider, operation };
    }
    return null;
  };
  const exteriorMask = (operation: ProviderView['operations'][number]) => operation.inputs.mask?.purpose === 'exterior';
  return {
    concept: find((operation) => exteriorMask(operation) && operation.inputs.source !== 'variant'),
    variationFor: (provider) =>
      find((operation) => exteriorMask(operation) && operation.inputs.source === 'variant', provider),
  };
}
