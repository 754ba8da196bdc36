import { useEffect, useRef, useState } from 'react';
import { MAX_IMAGES_PER_RUN } from '../../../../../shared/api';
import { AppError } from '../../../../../shared/errors';
import { PRODUCT_TYPES, PRODUCT_TYPE_WORDS, type ProductType } from '../../../../../shared/garments';
import { FormError } from '../../../components/FormError';
import { useApp, useClient } from '../../../store/context';
import { useProviderUnits } from '../../../store/use-provider-units';
import { costWords } from '../../queue/cost-words';
import { ApproveSpendChoice } from './ApproveSpend';
import type { FashionOperation } from './fashion-operations';
import './fashion.css';

/** The sizes e-commerce pages ask for (a square tile, a portrait product page, a wide banner). */
const SIZES = [
  { label: 'Square · 1024 × 1024', width: 1024, height: 1024 },
  { label: 'Portrait 4:5 · 1024 × 1280', width: 1024, height: 1280 },
  { label: 'Portrait 2:3 · 1024 × 1536', width: 1024, height: 1536 },
  { label: 'Landscape 3:2 · 1536 × 1024', width: 1536, height: 1024 },
  { label: 'Large square · 2048 × 2048', width: 2048, height: 2048 },
] as const;

const message = (error: unknown): string => (error instanceof AppError ? error.message : 'Something went wrong.');

/**
 * Product images from a prompt, into the shoot as generated items: prompt, product type, size,
 * how many, and optionally a photo whose shape the product keeps. The cost (the provider's price
 * per image × how many) is said before anything is sent.
 */
export function GenerateDialog(props: {
  shootId: string;
  operation: FashionOperation;
  /** Photos selected in the grid: the shape reference is chosen among them. */
  selected: readonly string[];
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const { shootId, operation, selected, onClose } = props;
  const client = useClient();
  const unitOf = useProviderUnits();
  const assets = useApp((state) => state.assets);
  const dialog = useRef<HTMLDialogElement>(null);
  const first = assets.find((asset) => asset.id === selected[0]);
  const [prompt, setPrompt] = useState('');
  const [productType, setProductType] = useState<ProductType>(first?.garment ?? 'GARMENT');
  const [size, setSize] = useState(0);
  const [count, setCount] = useState(4);
  const [reference, setReference] = useState('');
  // The price per image, for the settings it was asked with: another size is asked again.
  const [each, setEach] = useState<{ key: string; credits: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [approve, setApprove] = useState(false);
  const { width, height } = SIZES[size] ?? SIZES[0];
  const params = { prompt: prompt.trim() || 'product', productType, width, height };

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const paramsKey = JSON.stringify({ productType, width, height });
  const { provider, operation: operationName } = operation;
  useEffect(() => {
    let current = true;
    const { productType: type, width: w, height: h } = JSON.parse(paramsKey) as typeof params;
    client
      .call('providers.estimate', {
        provider,
        operation: operationName,
        params: { prompt: 'product', productType: type, width: w, height: h },
      })
      .then((answer) => {
        if (!current) return;
        setEach({ key: paramsKey, credits: answer.credits });
        setError(null);
      })
      .catch((caught: unknown) => current && setError(message(caught)));
    return () => {
      current = false;
    };
  }, [client, provider, operationName, paramsKey]);

  const countValid = Number.isInteger(count) && count >= 1 && count <= MAX_IMAGES_PER_RUN;
  const price = each?.key === paramsKey ? each.credits : null;
  const total = price === null || !countValid ? null : price * count;
  // Nothing is sent before its cost is on screen.
  const valid = prompt.trim().length > 0 && countValid && total !== null;
  const nameOf = (id: string): string =>
    assets
      .find((asset) => asset.id === id)
      ?.relativePath.split('/')
      .pop() ?? 'A photo';

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('shoots.runOperation', {
        shootId,
        provider: operation.provider,
        operation: operation.operation,
        params: { ...params, prompt: prompt.trim() },
        count,
        ...(reference ? { reference: { kind: 'asset' as const, id: reference } } : {}),
        approve,
      });
      onClose(true);
    } catch (caught) {
      setError(message(caught));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="run-dialog generate-dialog"
      aria-label="Generate product images"
      onCancel={() => onClose(false)}
    >
      <h2>Generate product images · {operation.providerName}</h2>
      <label className="field generate-prompt">
        Prompt
        <textarea
          aria-label="Prompt"
          rows={3}
          maxLength={4000}
          value={prompt}
          placeholder="A red leather tote on a white seamless background, soft daylight"
          onChange={(event) => setPrompt(event.target.value)}
        />
      </label>
      <div className="generate-row">
        <label className="field">
          Product type{' '}
          <select
            aria-label="Product type"
            value={productType}
            onChange={(event) => setProductType(event.target.value as ProductType)}
          >
            {PRODUCT_TYPES.map((type) => (
              <option key={type} value={type}>
                {PRODUCT_TYPE_WORDS[type]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Size{' '}
          <select aria-label="Size" value={size} onChange={(event) => setSize(Number(event.target.value))}>
            {SIZES.map((option, index) => (
              <option key={option.label} value={index}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          How many{' '}
          <input
            aria-label="How many"
            type="number"
            min={1}
            max={MAX_IMAGES_PER_RUN}
            value={count}
            onChange={(event) => setCount(Math.round(Number(event.target.value)))}
          />
        </label>
      </div>
      <label className="field">
        Shape reference{' '}
        <select aria-label="Shape reference" value={reference} onChange={(event) => setReference(event.target.value)}>
          <option value="">None</option>
          {selected.map((id) => (
            <option key={id} value={id}>
              {nameOf(id)}
            </option>
          ))}
        </select>
        {selected.length === 0 ? <span className="muted"> Select a product photo first to keep its shape.</span> : null}
      </label>
      <p role="status" className="estimate" data-testid="generate-estimate">
        {!countValid
          ? `Between 1 and ${MAX_IMAGES_PER_RUN} images at a time.`
          : `${count} image${count === 1 ? '' : 's'} · ${total === null ? 'working out the cost…' : (costWords(total, unitOf(operation.provider)) ?? 'cost unknown')}`}
      </p>
      <p className="muted">They join this shoot as generated items, and exports label them as generated.</p>
      <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={null} />
      <FormError error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!valid || busy} onClick={() => void run()}>
          Generate {countValid ? count : ''}
        </button>
      </div>
    </dialog>
  );
}
