import { useState } from 'react';
import { formatAmount } from '../../../../../shared/providers';
import { useClient } from '../../../store/context';
import { CountField, countedEstimate, countIsValid, EnumChoice, PromptField } from './fields';
import { ModelChoice } from './ModelChoice';
import { RunDialogFrame } from './RunDialogFrame';
import { enumOf, type StudioOperation } from './studio-operations';
import { useEstimate } from './use-estimate';
import { useChosenModel } from './use-models';

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
  const ratios = enumOf(operation.paramsSchema, 'aspectRatio');
  const formats = enumOf(operation.paramsSchema, 'outputFormat');
  const model = useChosenModel(operation, 'image');
  const [prompt, setPrompt] = useState('');
  const [aspectRatio, setAspectRatio] = useState(ratios.fallback ?? '');
  const [outputFormat, setOutputFormat] = useState(formats.fallback ?? '');
  const [count, setCount] = useState(4);
  // Priced without the words: the price does not depend on them.
  const params = { prompt: 'a picture', model: model.chosen, aspectRatio, outputFormat };
  const each = useEstimate(operation.provider, operation.operation, params);
  const countValid = countIsValid(count);
  const total = each.credits === null || !countValid ? null : each.credits * count;
  const price =
    total === null
      ? 'working out the cost…'
      : `${each.uncertain ? 'up to ' : ''}${formatAmount(total, operation.unit)}${each.uncertain ? ' (this model’s price is not listed)' : ''}`;

  return (
    <RunDialogFrame
      label="Generate images"
      title={`Generate images · ${operation.providerName}`}
      estimate={countedEstimate(count, price)}
      estimateTestId="images-estimate"
      ready={prompt.trim().length > 0 && countValid && total !== null && model.ready}
      actionLabel={`Generate ${countValid ? count : ''}`}
      problem={each.error}
      onClose={onClose}
      run={async (approve) => {
        await client.call('shoots.runOperation', {
          shootId,
          provider: operation.provider,
          operation: operation.operation,
          params: { ...params, prompt: prompt.trim() },
          count,
          approve,
        });
      }}
    >
      <PromptField
        value={prompt}
        onChange={setPrompt}
        placeholder="A sunlit loft with tall windows, linen sofa, morning light"
      />
      <div className="generate-row">
        <ModelChoice
          models={model.models}
          value={model.chosen}
          onChange={model.choose}
          unit={operation.unit}
          per="an image"
        />
        <EnumChoice label="Aspect ratio" values={ratios.values} value={aspectRatio} onChange={setAspectRatio} />
        <EnumChoice
          label="Format"
          values={formats.values}
          value={outputFormat}
          onChange={setOutputFormat}
          show={(format) => format.toUpperCase()}
        />
        <CountField value={count} onChange={setCount} />
      </div>
      {model.message ? <p className="muted">{model.message}</p> : null}
      <p className="muted">They join this shoot as generated items, and exports label them as generated.</p>
    </RunDialogFrame>
  );
}
