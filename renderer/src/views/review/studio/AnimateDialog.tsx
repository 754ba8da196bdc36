import { useState } from 'react';
import { formatAmount } from '../../../../../shared/providers';
import { useClient } from '../../../store/context';
import { EnumChoice, PromptField } from './fields';
import { ModelChoice } from './ModelChoice';
import { RunDialogFrame } from './RunDialogFrame';
import { enumOf, rangeOf, type StudioOperation } from './studio-operations';
import { useEstimate } from './use-estimate';
import { useChosenModel } from './use-models';

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
  const ratios = enumOf(operation.paramsSchema, 'aspectRatio');
  const durations = rangeOf(operation.paramsSchema, 'duration');
  const model = useChosenModel(operation, 'video');
  const [prompt, setPrompt] = useState('');
  const [aspectRatio, setAspectRatio] = useState(ratios.fallback ?? '');
  const [duration, setDuration] = useState(durations.fallback);
  const durationValid = Number.isInteger(duration) && duration >= durations.min && duration <= durations.max;
  // Priced without the words: the price does not depend on them.
  const params = {
    prompt: 'movement',
    model: model.chosen,
    aspectRatio,
    duration: durationValid ? duration : durations.fallback,
  };
  const cost = useEstimate(operation.provider, operation.operation, params);
  const estimate = !durationValid
    ? `A video lasts ${durations.min} to ${durations.max} seconds.`
    : cost.credits === null
      ? 'Working out the cost…'
      : cost.uncertain
        ? `This video costs up to ${formatAmount(cost.credits, operation.unit)}: this model’s price is not listed.`
        : `This video costs ${formatAmount(cost.credits, operation.unit)}.`;

  return (
    <RunDialogFrame
      label="Animate"
      title={`Animate · ${operation.providerName}`}
      estimate={estimate}
      estimateTestId="animate-estimate"
      ready={prompt.trim().length > 0 && durationValid && cost.credits !== null && model.ready}
      actionLabel="Animate"
      problem={cost.error}
      onClose={onClose}
      run={async (approve) => {
        await client.call('operations.run', {
          provider: operation.provider,
          operation: operation.operation,
          params: { ...params, prompt: prompt.trim() },
          ...(target.kind === 'asset' ? { assetIds: [target.id] } : { variantIds: [target.id] }),
          approve,
        });
      }}
    >
      <p className="animate-target">
        <img src={target.imageUrl} alt="" width={96} />
        <span>
          The video starts from <strong>{target.name}</strong>.
        </span>
      </p>
      <PromptField value={prompt} onChange={setPrompt} placeholder="A slow push in; curtains move in the breeze" />
      <div className="generate-row">
        <ModelChoice
          models={model.models}
          value={model.chosen}
          onChange={model.choose}
          unit={operation.unit}
          per="a video"
        />
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
        <EnumChoice label="Aspect ratio" values={ratios.values} value={aspectRatio} onChange={setAspectRatio} />
      </div>
      {model.message ? <p className="muted">{model.message}</p> : null}
    </RunDialogFrame>
  );
}
