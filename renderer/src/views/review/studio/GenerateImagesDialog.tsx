import { useEffect, useRef, useState } from 'react';
import { MAX_IMAGES_PER_RUN } from '../../../../../shared/api';
import { AppError } from '../../../../../shared/errors';
import { formatAmount } from '../../../../../shared/providers';
import { FormError } from '../../../components/FormError';
import { useClient } from '../../../store/context';
import { ApproveSpendChoice } from '../fashion/ApproveSpend';
import { ModelChoice } from './ModelChoice';
import { defaultOf, enumOf, type StudioOperation } from './studio-operations';
import { useEstimate } from './use-estimate';
import { useModels } from './use-models';
import '../fashion/fashion.css';

/**
 * Pictures from a prompt, into the shoot as generated items: prompt, model (each with its price per
 * image), aspect ratio, format and how many. The cost is said before anything is sent.
 */
export function GenerateImagesDialog({
  shootId,
  operation,
  onClose,
}: {
  shootId: string;
  operation: StudioOperation;
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const ratios = enumOf(operation.paramsSchema, 'aspectRatio');
  const formats = enumOf(operation.paramsSchema, 'outputFormat');
  const { models, message } = useModels(operation.provider, 'image');
  const [prompt, setPrompt] = useState('');
  const [model, setModel] = useState<string | null>(null);
  const [aspectRatio, setAspectRatio] = useState(ratios.fallback ?? '');
  const [outputFormat, setOutputFormat] = useState(formats.fallback ?? '');
  const [count, setCount] = useState(4);
  const [approve, setApprove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fallbackModel = defaultOf(operation.paramsSchema, 'model');
  const chosen = model ?? (models?.some((entry) => entry.id === fallbackModel) ? fallbackModel : models?.[0]?.id) ?? '';
  const params = {
    prompt: 'a picture',
    ...(chosen ? { model: chosen } : {}),
    ...(aspectRatio ? { aspectRatio } : {}),
    ...(outputFormat ? { outputFormat } : {}),
  };
  const each = useEstimate(operation.provider, operation.operation, params);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const countValid = Number.isInteger(count) && count >= 1 && count <= MAX_IMAGES_PER_RUN;
  const total = each.credits === null || !countValid ? null : each.credits * count;
  // Nothing is sent before the models are listed and the cost of the one chosen is known.
  const valid = prompt.trim().length > 0 && countValid && total !== null && models !== null && chosen !== '';

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('shoots.runOperation', {
        shootId,
        provider: operation.provider,
        operation: operation.operation,
        params: { ...params, prompt: prompt.trim() },
        count,
        approve,
      });
      onClose(true);
    } catch (caught) {
      setError(caught instanceof AppError ? caught.message : 'Something went wrong.');
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="run-dialog generate-dialog"
      aria-label="Generate images"
      onCancel={() => onClose(false)}
    >
      <h2>Generate images · {operation.providerName}</h2>
      <label className="field generate-prompt">
        Prompt
        <textarea
          aria-label="Prompt"
          rows={3}
          maxLength={4000}
          value={prompt}
          placeholder="A sunlit loft with tall windows, linen sofa, morning light"
          onChange={(event) => setPrompt(event.target.value)}
        />
      </label>
      <div className="generate-row">
        <ModelChoice models={models} value={chosen} onChange={setModel} unit={operation.unit} per="an image" />
        <label className="field">
          Aspect ratio{' '}
          <select
            aria-label="Aspect ratio"
            value={aspectRatio}
            onChange={(event) => setAspectRatio(event.target.value)}
          >
            {ratios.values.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Format{' '}
          <select aria-label="Format" value={outputFormat} onChange={(event) => setOutputFormat(event.target.value)}>
            {formats.values.map((value) => (
              <option key={value} value={value}>
                {value.toUpperCase()}
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
      {message ? <p className="muted">{message}</p> : null}
      <p role="status" className="estimate" data-testid="images-estimate">
        {!countValid
          ? `Between 1 and ${MAX_IMAGES_PER_RUN} images at a time.`
          : `${count} image${count === 1 ? '' : 's'} · ${total === null ? 'working out the cost…' : `${each.uncertain ? 'up to ' : ''}${formatAmount(total, operation.unit)}${each.uncertain ? ' (this model’s price is not listed)' : ''}`}`}
      </p>
      <p className="muted">They join this shoot as generated items, and exports label them as generated.</p>
      <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={null} />
      <FormError error={error ?? each.error} />
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
