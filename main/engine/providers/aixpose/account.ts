import type { AgentSettings, CatalogEntry, ProviderContext, ProviderModule } from '../contract';
import { ProviderRequestError } from '../../net/http';
import { asRecord, LIST_NAMES, parseJson, pickList, pickNumber, pickRecord, pickString } from '../../net/tolerant';
import { FALLBACK_ASPECT_RATIOS } from './api';

type Account = NonNullable<ProviderModule['account']>;

/**
 * Credits, the ledger, the catalog and the agent: AIXpose's account-level endpoints, each read in
 * every shape the doc leaves possible (docs/providers/aixpose.md, "Silent points").
 */
export const aixposeAccount: Account = {
  balance: async (context) => {
    const body = parseJson((await get(context, '/v1/credits/balance')).body);
    const balance =
      pickNumber(body, 'balance', 'credits', 'remaining', 'available') ??
      pickNumber(pickRecord(body, 'data', 'credits'), 'balance', 'remaining', 'available', 'credits');
    if (balance === undefined) {
      throw new ProviderRequestError('AIXpose sent a balance Shootline cannot read.', { kind: 'invalid_response' });
    }
    return balance;
  },

  ledger: async (context) => {
    const body = parseJson((await get(context, '/v1/credits/ledger')).body);
    return (pickList(body, 'ledger', ...LIST_NAMES) ?? []).flatMap((entry) => {
      const read = readLedgerEntry(entry);
      return read ? [read] : [];
    });
  },

  /** Models, preset actions under their groups, scene locations, aspect ratios and quick actions. */
  catalog: async (context) => {
    const [models, actions, ratios, quick] = await Promise.all(
      ['/v1/catalog/models', '/v1/catalog/actions', '/v1/catalog/aspect-ratios', '/v1/quick-actions'].map(
        async (path) => parseJson((await get(context, path)).body),
      ),
    );
    const entries: CatalogEntry[] = [];
    for (const model of list(models, 'models')) {
      entries.push({ kind: 'model', id: idOf(model), label: nameOf(model) });
    }
    entries.push(...readActions(actions));
    // Scene types and their locations may come with any of the catalog answers.
    entries.push(...readSceneLocations([actions, models, ratios]));
    for (const ratio of list(ratios, 'aspect_ratios', 'ratios')) {
      const id = typeof ratio === 'string' ? ratio : (pickString(ratio, 'id', 'value', 'ratio', 'aspect_ratio') ?? '');
      entries.push({
        kind: 'aspect_ratio',
        id,
        label: typeof ratio === 'string' ? ratio : (pickString(ratio, 'label', 'name') ?? id),
      });
    }
    for (const action of list(quick, 'quick_actions', 'actions')) {
      entries.push({
        kind: 'quick_action',
        id: idOf(action),
        label: nameOf(action),
        description: pickString(action, 'description') ?? '',
        appliesTo: strings(asRecord(action)?.scene_types),
      });
    }
    return entries.filter((entry) => entry.id !== '');
  },

  /** Offered before any catalog was read (offline, or no key yet): the doc's aspect ratios. */
  fallbackCatalog: FALLBACK_ASPECT_RATIOS.map((ratio) => ({ kind: 'aspect_ratio', id: ratio, label: ratio })),

  agent: {
    get: async (context) => toAgent(parseJson((await get(context, '/v1/agent')).body)),
    update: async (context, patch) => {
      const body: Record<string, boolean> = {};
      if (patch.enabled !== undefined) body.enabled = patch.enabled;
      if (patch.autoApply !== undefined) body.auto_apply = patch.autoApply;
      const response = await context.request({
        method: 'PATCH',
        url: `${context.baseUrl}/v1/agent`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        call: 'submit',
      });
      return toAgent(parseJson(response.body));
    },
  },
};

/**
 * Preset actions with the group each belongs to, whichever way the catalog says it: actions that
 * name their group's id (with the groups listed beside them), actions carrying their group as an
 * object, or groups that hold their actions. A group is never offered as if it were an action.
 */
function readActions(body: unknown): CatalogEntry[] {
  const groupNames = new Map<string, string>();
  for (const group of pickList(body, 'groups', 'action_groups') ?? []) groupNames.set(idOf(group), nameOf(group));
  const entries: CatalogEntry[] = [];
  const add = (action: unknown, group: string): void => {
    entries.push({
      kind: 'action',
      id: idOf(action),
      label: nameOf(action),
      group,
      appliesTo: strings(asRecord(action)?.scene_types ?? asRecord(action)?.scene_type),
    });
  };
  for (const item of list(body, 'actions', 'groups')) {
    const nested = pickList(item, 'actions', 'options', 'items');
    if (nested) {
      for (const action of nested) add(action, nameOf(item));
      continue;
    }
    const group = asRecord(item)?.group;
    const groupId = typeof group === 'string' ? group : (pickString(group, 'id') ?? '');
    add(item, pickString(group, 'name', 'label') ?? groupNames.get(groupId) ?? groupId);
  }
  return entries;
}

/** Scene types and their locations, from whichever catalog answer carries them. */
function readSceneLocations(bodies: readonly unknown[]): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  const seen = new Set<string>();
  for (const body of bodies) {
    for (const scene of pickList(body, 'scene_types', 'scenes', 'scene_locations') ?? []) {
      const sceneId = typeof scene === 'string' ? scene : idOf(scene);
      const locations = pickList(scene, 'locations', 'scene_locations', 'rooms') ?? [];
      for (const location of locations) {
        const id = typeof location === 'string' ? location : idOf(location);
        if (id === '' || seen.has(`${sceneId}/${id}`)) continue;
        seen.add(`${sceneId}/${id}`);
        entries.push({
          kind: 'scene_location',
          id,
          label: typeof location === 'string' ? id.replace(/_/g, ' ') : nameOf(location).replace(/_/g, ' '),
          group: sceneId,
          appliesTo: [sceneId],
        });
      }
    }
  }
  return entries;
}

/**
 * One entry of AIXpose's ledger, whatever it calls its parts: the kind (`reason`, `kind`, `type`,
 * `entry_type`), a signed or unsigned amount (`amount`, `credits`, `delta`), the resource
 * (`resource_ids`, `resource_id`, `picture_id`/`video_id`, `resource: {id}`) and the time.
 */
export function readLedgerEntry(
  entry: unknown,
): { at: number; amount: number; remoteId?: string; note?: string } | null {
  const record = asRecord(entry);
  if (!record) return null;
  const magnitude = pickNumber(record, 'amount', 'credits', 'delta', 'change');
  if (magnitude === undefined) return null;
  const kind = (pickString(record, 'kind', 'type', 'entry_type', 'reason', 'direction') ?? '').toLowerCase();
  const spends = /charge|debit|spend|usage|enhancement|video|generation/.test(kind);
  // A signed amount says itself which way it goes; an unsigned one takes its sign from the kind.
  const amount = magnitude < 0 || !spends ? magnitude : -magnitude;
  const resources = pickList(record, 'resource_ids') ?? [];
  const resource =
    (resources.length > 0 ? resources.map(String).join(',') : undefined) ??
    pickString(record, 'resource_id', 'picture_id', 'video_id') ??
    pickString(pickRecord(record, 'resource'), 'id');
  const note = pickString(record, 'description', 'operation', 'reason', 'kind', 'type');
  const when = pickString(record, 'created_at', 'timestamp', 'at', 'date');
  return {
    at: when ? Date.parse(when) || 0 : 0,
    amount,
    ...(resource ? { remoteId: resource } : {}),
    ...(note ? { note } : {}),
  };
}

function get(context: ProviderContext, path: string) {
  return context.request({ method: 'GET', url: `${context.baseUrl}${path}`, call: 'read' });
}

function toAgent(body: unknown): AgentSettings {
  const answer = pickRecord(body, 'data', 'agent') ?? asRecord(body) ?? {};
  if (typeof answer.enabled !== 'boolean' || typeof answer.auto_apply !== 'boolean') {
    throw new ProviderRequestError('AIXpose sent agent settings Shootline cannot read.', { kind: 'invalid_response' });
  }
  return {
    enabled: answer.enabled,
    autoApply: answer.auto_apply,
    learnedPreferences: strings(answer.learned_preferences),
    updatedAt: typeof answer.updated_at === 'string' ? answer.updated_at : null,
  };
}

const list = (body: unknown, ...names: string[]): unknown[] => pickList(body, ...LIST_NAMES, ...names) ?? [];
const idOf = (value: unknown): string => pickString(value, 'id', 'key', 'slug', 'value') ?? '';
const nameOf = (value: unknown): string => pickString(value, 'name', 'label', 'title') ?? idOf(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string'
      ? [value]
      : [];
