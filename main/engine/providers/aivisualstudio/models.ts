import { ProviderRequestError } from '../../net/http';
import { LIST_NAMES, parseJson, pickList, pickNumber, pickString } from '../../net/tolerant';
import type { CatalogEntry, ProviderContext } from '../contract';
import { callAivs } from './calls';

/**
 * Models are AI Visual Studio's catalog and its price list: `GET /models` gives each model's
 * `credits_per_generation`, which estimates and budgets use. Before the first read (no key yet,
 * offline), the doc's own two models stand in, at the doc's prices.
 */
export const AIVS_FALLBACK_MODELS: readonly CatalogEntry[] = [
  {
    kind: 'model',
    id: 'prunaai/z-image-turbo',
    label: 'Z-Image Turbo',
    description: 'Fast image generation',
    group: 'image',
    credits: 5,
  },
  {
    kind: 'model',
    id: 'minimax/hailuo-2.3-fast',
    label: 'Hailuo 2.3 Fast',
    description: 'Fast video generation',
    group: 'video',
    credits: 450,
  },
];

export async function readModels(context: ProviderContext): Promise<CatalogEntry[]> {
  const response = await callAivs(
    context,
    { method: 'GET', url: `${context.baseUrl}/api/v1/models`, call: 'read' },
    'read',
  );
  const list = pickList(parseJson(response.body), 'models', ...LIST_NAMES);
  if (!list) {
    throw new ProviderRequestError('AI Visual Studio listed its models in a form Shootline cannot read.', {
      kind: 'invalid_response',
    });
  }
  return list.flatMap((entry): CatalogEntry[] => {
    const id = pickString(entry, 'id', 'model');
    const type = pickString(entry, 'type');
    if (!id || (type !== 'image' && type !== 'video')) return [];
    const credits = pickNumber(entry, 'credits_per_generation', 'credits', 'price');
    const description = pickString(entry, 'description');
    return [
      {
        kind: 'model',
        id,
        label: pickString(entry, 'name') ?? id,
        group: type,
        ...(description ? { description } : {}),
        ...(credits === undefined || credits < 0 ? {} : { credits }),
      },
    ];
  });
}

/**
 * What a generation with this model costs: its listed price; for a model the catalog does not
 * (yet) list, the dearest of its type, so a budget never approves less than may be spent.
 */
export function priceOf(
  catalog: readonly CatalogEntry[],
  type: 'image' | 'video',
  model: string,
): { credits: number; uncertain?: true } {
  const models = catalog.filter((entry) => entry.kind === 'model' && entry.group === type);
  const listed = models.find((entry) => entry.id === model)?.credits;
  if (listed !== undefined) return { credits: listed };
  const prices = [...models, ...AIVS_FALLBACK_MODELS.filter((entry) => entry.group === type)].flatMap((entry) =>
    entry.credits === undefined ? [] : [entry.credits],
  );
  // Not in the price list as last read: the dearest known, and a person approves it.
  return { credits: Math.max(...prices), uncertain: true };
}
