import type { AgentSettings, CatalogEntry, ProviderContext, ProviderModule } from '../contract';
import { ProviderRequestError } from '../http';
import { json } from './api';

type Account = NonNullable<ProviderModule['account']>;

interface AgentJson {
  enabled?: unknown;
  auto_apply?: unknown;
  learned_preferences?: unknown;
  updated_at?: unknown;
}

/** Credits, the ledger, the catalog and the agent: AIXpose's account-level endpoints. */
export const aixposeAccount: Account = {
  balance: async (context) => {
    const answer = json<{ balance?: unknown }>(await get(context, '/v1/credits/balance'));
    if (typeof answer.balance !== 'number') {
      throw new ProviderRequestError('AIXpose sent a balance Shootline cannot read.', { kind: 'invalid_response' });
    }
    return answer.balance;
  },

  ledger: async (context) => {
    const answer = json<{ data?: Record<string, unknown>[] }>(await get(context, '/v1/credits/ledger'));
    return (answer.data ?? []).map((entry) => ({
      at: typeof entry.created_at === 'string' ? Date.parse(entry.created_at) : 0,
      amount: typeof entry.amount === 'number' ? entry.amount : 0,
      ...(Array.isArray(entry.resource_ids) && typeof entry.resource_ids[0] === 'string'
        ? { remoteId: entry.resource_ids.join(',') }
        : {}),
      ...(typeof entry.reason === 'string' ? { note: entry.reason } : {}),
    }));
  },

  /** Models, preset actions (with their scene types), scene locations, aspect ratios and quick actions. */
  catalog: async (context) => {
    const [models, actions, ratios, quick] = await Promise.all([
      get(context, '/v1/catalog/models').then((r) => json<{ data?: Record<string, unknown>[] }>(r)),
      get(context, '/v1/catalog/actions').then((r) =>
        json<{
          data?: Record<string, unknown>[];
          groups?: Record<string, unknown>[];
          scene_types?: { id?: unknown; locations?: unknown }[];
        }>(r),
      ),
      get(context, '/v1/catalog/aspect-ratios').then((r) => json<{ data?: Record<string, unknown>[] }>(r)),
      get(context, '/v1/quick-actions').then((r) => json<{ data?: Record<string, unknown>[] }>(r)),
    ]);
    const groupNames = new Map((actions.groups ?? []).map((group) => [text(group.id), text(group.name)]));
    const entries: CatalogEntry[] = [];
    for (const model of models.data ?? []) {
      entries.push({ kind: 'model', id: text(model.id), label: text(model.name) || text(model.id) });
    }
    for (const action of actions.data ?? []) {
      entries.push({
        kind: 'action',
        id: text(action.id),
        label: text(action.name) || text(action.id),
        group: groupNames.get(text(action.group)) ?? text(action.group),
        appliesTo: strings(action.scene_types),
      });
    }
    for (const scene of actions.scene_types ?? []) {
      for (const location of strings(scene.locations)) {
        entries.push({
          kind: 'scene_location',
          id: location,
          label: location.replace(/_/g, ' '),
          group: text(scene.id),
          appliesTo: [text(scene.id)],
        });
      }
    }
    for (const ratio of ratios.data ?? [])
      entries.push({ kind: 'aspect_ratio', id: text(ratio.id), label: text(ratio.id) });
    for (const action of quick.data ?? []) {
      entries.push({
        kind: 'quick_action',
        id: text(action.id),
        label: text(action.name) || text(action.id),
        description: text(action.description),
        appliesTo: strings(action.scene_types),
      });
    }
    return entries.filter((entry) => entry.id !== '');
  },

  agent: {
    get: async (context) => toAgent(json<AgentJson>(await get(context, '/v1/agent'))),
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
      return toAgent(json<AgentJson>(response));
    },
  },
};

function get(context: ProviderContext, path: string) {
  return context.request({ method: 'GET', url: `${context.baseUrl}${path}`, call: 'read' });
}

function toAgent(answer: AgentJson): AgentSettings {
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

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
