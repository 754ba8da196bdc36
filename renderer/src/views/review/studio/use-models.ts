import { useEffect, useState } from 'react';
import type { CatalogEntryView } from '../../../../../shared/providers';
import { useClient } from '../../../store/context';

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
