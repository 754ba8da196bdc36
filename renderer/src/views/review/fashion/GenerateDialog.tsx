import { useState } from 'react';
import { PRODUCT_TYPES, PRODUCT_TYPE_WORDS, ProductTypeSchema, type ProductType } from '../../../../../shared/garments';
import { useApp, useClient } from '../../../store/context';
import { useProviderUnits } from '../../../store/use-provider-units';
import { costWords } from '../../queue/cost-words';
import { CountField, countedEstimate, countIsValid, EnumChoice, PromptField } from '../studio/fields';
import { RunDialogFrame } from '../studio/RunDialogFrame';
import { useEstimate } from '../studio/use-estimate';
import type { FashionOperation } from './fashion-operations';

/** The sizes e-commerce pages ask for (a square tile, a portrait product page, a wide banner). */
const SIZES = [
  { label: 'Square · 1024 × 1024', width: 1024, height: 1024 },
  { label: 'Portrait 4:5 · 1024 × 1280', width: 1024, height: 1280 },
  { label: 'Portrait 2:3 · 1024 × 1536', width: 1024, height: 1536 },
  { label: 'Landscape 3:2 · 1536 × 1024', width: 1536, height: 1024 },
  { label: 'Large square · 2048 × 2048', width: 2048, height: 2048 },
] as const;
const SIZE_LABELS = SIZES.map((size) => size.label);

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
  const first = assets.find((asset) => asset.id === selected[0]);
  const [prompt, setPrompt] = useState('');
  const [productType, setProductType] = useState<ProductType>(first?.garment ?? 'GARMENT');
  const [sizeLabel, setSizeLabel] = useState<string>(SIZES[0].label);
  const [count, setCount] = useState(4);
  const [reference, setReference] = useState('');
  const { width, height } = SIZES.find((size) => size.label === sizeLabel) ?? SIZES[0];
  // Priced without the words: the price does not depend on them.
  const params = { prompt: 'product', productType, width, height };
  const each = useEstimate(operation.provider, operation.operation, params);
  const countValid = countIsValid(count);
  const total = each.credits === null || !countValid ? null : each.credits * count;
  const nameOf = (id: string): string =>
    assets
      .find((asset) => asset.id === id)
      ?.relativePath.split('/')
      .pop() ?? 'A photo';

  return (
    <RunDialogFrame
      label="Generate product images"
      title={`Generate product images · ${operation.providerName}`}
      estimate={countedEstimate(
        count,
        total === null ? 'working out the cost…' : (costWords(total, unitOf(operation.provider)) ?? 'cost unknown'),
      )}
      estimateTestId="generate-estimate"
      ready={prompt.trim().length > 0 && countValid && total !== null}
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
          ...(reference ? { reference: { kind: 'asset' as const, id: reference } } : {}),
          approve,
        });
      }}
    >
      <PromptField
        value={prompt}
        onChange={setPrompt}
        placeholder="A red leather tote on a white seamless background, soft daylight"
      />
      <div className="generate-row">
        <EnumChoice
          label="Product type"
          values={PRODUCT_TYPES}
          value={productType}
          onChange={(value) => {
            const parsed = ProductTypeSchema.safeParse(value);
            if (parsed.success) setProductType(parsed.data);
          }}
          show={(type) => PRODUCT_TYPE_WORDS[ProductTypeSchema.parse(type)]}
        />
        <EnumChoice label="Size" values={SIZE_LABELS} value={sizeLabel} onChange={setSizeLabel} />
        <CountField value={count} onChange={setCount} />
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
      <p className="muted">They join this shoot as generated items, and exports label them as generated.</p>
    </RunDialogFrame>
  );
}
