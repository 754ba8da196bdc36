import type { Migration } from './types';

/**
 * The origin each stored API key was entered for. A key goes only to that origin: pointing a
 * provider elsewhere (a sandbox, a typo, a page that got hold of the API) sends no key there
 * until the user enters one again. Keys stored before this version are bound at the next start
 * to where the provider was then reached.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'API keys bound to an origin',
  sql: `
    ALTER TABLE provider_accounts ADD COLUMN key_origin TEXT;
  `,
};
