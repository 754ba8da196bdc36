import { useEffect, useState } from 'react';
import type { CatalogEntryView } from '../../../../../shared/providers';
import { useClient } from '../../../store/context';
import { defaultOf } from './studio-operations';

/**
 * A provider's models of one kind (image or video) with their prices, from its catalog (read again
 * when it is a day old). Null while loading; the catalog's own words when it could not be read.
 */
export function useModels(
  provider: string,
  kind: 'image' | 'video',
): { models: CatalogEntryView[] | null; message: string | null } {
  const client = useClient();
  const [state, setState] = useState<{ models: CatalogEntryView[] | null; message: string | null }>({
    models: null,
    message: null,
  });
  useEffect(() => {
    let current = true;
    client.call('providers.catalog', { provider }).then(
      (catalog) => {
        if (!current) return;
        const models = catalog.entries.filter((entry) => entry.kind === 'model' && entry.group === kind);
        setState({ models, message: catalog.message });
      },
      () => current && setState({ models: [], message: 'The models could not be loaded.' }),
    );
    return () => {
      current = false;
    };
  }, [client, provider, kind]);
  return state;
}

/**
 * The model a dialog sends: the one the user chose, else the operation's default when the catalog
 * lists it, else the catalog's first. `ready` once the catalog has been read and a model is chosen.
 */
export function useChosenModel(
  operation: { provider: string; paramsSchema: unknown },
  kind: 'image' | 'video',
): {
  models: CatalogEntryView[] | null;
  message: string | null;
  chosen: string;
  choose: (model: string) => void;
  ready: boolean;
} {
  const { models, message } = useModels(operation.provider, kind);
  const [picked, choose] = useState<string | null>(null);
  const fallback = defaultOf(operation.paramsSchema, 'model');
  const listedDefault = models?.some((entry) => entry.id === fallback) ? fallback : null;
  const chosen = picked ?? listedDefault ?? models?.[0]?.id ?? fallback ?? '';
  return { models, message, chosen, choose, ready: models !== null && chosen !== '' };
}
