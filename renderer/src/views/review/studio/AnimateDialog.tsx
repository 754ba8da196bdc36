import { useEffect, useRef, useState } from 'react';
import { AppError } from '../../../../../shared/errors';
import { formatAmount } from '../../../../../shared/providers';
import { FormError } from '../../../components/FormError';
import { useClient } from '../../../store/context';
import { ApproveSpendChoice } from '../fashion/ApproveSpend';
import { ModelChoice } from './ModelChoice';
import { defaultOf, enumOf, rangeOf, type StudioOperation } from './studio-operations';
import { useEstimate } from './use-estimate';
import { useModels } from './use-models';
import '../fashion/fashion.css';

/** The picture a video starts from: a photo of the shoot, or a result. */
export interface AnimateTarget {
  kind: 'asset' | 'variant';
  id: string;
  name: string;
  /** A thumbnail to show it by. */
  imageUrl: string;
}

/**
 * A photo or a result brought to life: prompt, duration, aspect ratio and model, and the cost said
 * plainly before sending (video models cost hundreds of credits).
 */
export function AnimateDialog({
  target,
  operation,
  onClose,
}: {
  target: AnimateTarget;
  operation: StudioOperation;
  onClose: (ran: boolean) => void;
}): React.JSX.Element {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const ratios = enumOf(operation.paramsSchema, 'aspectRatio');
  const durations = rangeOf(operation.paramsSchema, 'duration');
  const { models, message } = useModels(operation.provider, 'video');
  const [prompt, setPrompt] = useState('');
  const [model, setModel] = useState<string | null>(null);
  const [aspectRatio, setAspectRatio] = useState(ratios.fallback ?? '');
  const [duration, setDuration] = useState(durations.fallback);
  const [approve, setApprove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fallbackModel = defaultOf(operation.paramsSchema, 'model');
  const chosen = model ?? (models?.some((entry) => entry.id === fallbackModel) ? fallbackModel : models?.[0]?.id) ?? '';
  const durationValid = Number.isInteger(duration) && duration >= durations.min && duration <= durations.max;
  const params = {
    prompt: 'movement',
    ...(chosen ? { model: chosen } : {}),
    ...(aspectRatio ? { aspectRatio } : {}),
    duration: durationValid ? duration : durations.fallback,
  };
  const cost = useEstimate(operation.provider, operation.operation, params);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  // Nothing is sent before the models are listed and the cost of the one chosen is known.
  const valid = prompt.trim().length > 0 && durationValid && cost.credits !== null && models !== null && chosen !== '';

  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.call('operations.run', {
        provider: operation.provider,
        operation: operation.operation,
        params: { ...params, prompt: prompt.trim() },
        ...(target.kind === 'asset' ? { assetIds: [target.id] } : { variantIds: [target.id] }),
        approve,
      });
      onClose(true);
    } catch (caught) {
      setError(caught instanceof AppError ? caught.message : 'Something went wrong.');
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="run-dialog generate-dialog" aria-label="Animate" onCancel={() => onClose(false)}>
      <h2>Animate · {operation.providerName}</h2>
      <p className="animate-target">
        <img src={target.imageUrl} alt="" width={96} />
        <span>
          The video starts from <strong>{target.name}</strong>.
        </span>
      </p>
      <label className="field generate-prompt">
        Prompt
        <textarea
          aria-label="Prompt"
          rows={3}
          maxLength={4000}
          value={prompt}
          placeholder="A slow push in; curtains move in the breeze"
          onChange={(event) => setPrompt(event.target.value)}
        />
      </label>
      <div className="generate-row">
        <ModelChoice models={models} value={chosen} onChange={setModel} unit={operation.unit} per="a video" />
        <label className="field">
          Duration (s){' '}
          <input
            aria-label="Duration in seconds"
            type="number"
            min={durations.min}
            max={durations.max}
            value={duration}
            onChange={(event) => setDuration(Math.round(Number(event.target.value)))}
          />
        </label>
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
      </div>
      {message ? <p className="muted">{message}</p> : null}
      <p role="status" className="estimate" data-testid="animate-estimate">
        {!durationValid
          ? `A video lasts ${durations.min} to ${durations.max} seconds.`
          : cost.credits === null
            ? 'Working out the cost…'
            : cost.uncertain
              ? `This video costs up to ${formatAmount(cost.credits, operation.unit)}: this model’s price is not listed.`
              : `This video costs ${formatAmount(cost.credits, operation.unit)}.`}
      </p>
      <ApproveSpendChoice checked={approve} onChange={setApprove} waiting={null} />
      <FormError error={error ?? cost.error} />
      <div className="dialog-actions">
        <button type="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!valid || busy} onClick={() => void run()}>
          Animate
        </button>
      </div>
    </dialog>
  );
}
