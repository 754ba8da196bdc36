/**
 * The work a provider accepted, as the queue keeps it: the provider's own id for it (what its
 * webhooks name, what the job view shows) and whatever else the module needs to find it again (the
 * project it lives in, the pictures it made, what kind of work it is). Stored as JSON beside the id
 * and handed back to the module's `poll`, `watch` and `fetchOutputs` as it was given: never encoded
 * into the id and parsed back. A module reads `data` as untrusted (the library may hold the shape an
 * older version wrote), with its own schema.
 */
export interface RemoteJob {
  id: string;
  data?: RemoteJobData;
}

/** Plain JSON: what survives a round trip through the database unchanged. */
export type RemoteJobData = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The remote job a jobs row holds (`remote_id`, `remote_data_json`), or null before the provider took it. */
export function remoteJobOf(id: string | null, dataJson: string | null): RemoteJob | null {
  if (id === null) return null;
  if (dataJson === null) return { id };
  const data: unknown = JSON.parse(dataJson);
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? { id, data: data as RemoteJobData }
    : { id };
}
