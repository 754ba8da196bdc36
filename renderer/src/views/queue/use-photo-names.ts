import { useEffect, useMemo, useRef, useState } from 'react';
import { inputAssetId } from '../../../../shared/job-inputs';
import type { Job } from '../../../../shared/jobs';
import { useClient } from '../../store/context';

/** Names asked for in one call: the contract's limit. */
const NAMES_PER_CALL = 1_000;

/**
 * The file name of the photo each job works on ("IMG_0412.jpg", not "3e0e15f2"), asked of the
 * engine once per photo, in batches, as jobs appear. Null until known (or for a job from a prompt).
 */
export function usePhotoNames(jobs: readonly Job[]): (job: Job) => string | null {
  const client = useClient();
  const [names, setNames] = useState<Readonly<Record<string, string>>>({});
  const asked = useRef(new Set<string>());
  const wanted = useMemo(
    () => [...new Set(jobs.flatMap((job) => inputAssetId(job.inputs) ?? []))].sort().join('\n'),
    [jobs],
  );
  useEffect(() => {
    const ids = wanted === '' ? [] : wanted.split('\n').filter((id) => !asked.current.has(id));
    if (ids.length === 0) return;
    for (const id of ids) asked.current.add(id);
    // Names are kept even when the jobs change before they arrive: each photo is asked for once.
    void (async () => {
      for (let start = 0; start < ids.length; start += NAMES_PER_CALL) {
        const batch = ids.slice(start, start + NAMES_PER_CALL);
        try {
          const found = await client.call('assets.names', { ids: batch });
          setNames((known) => ({ ...known, ...found.names }));
        } catch {
          // Rows keep their short ids; asking again when the queue reloads is enough.
          for (const id of batch) asked.current.delete(id);
        }
      }
    })();
  }, [client, wanted]);
  return (job) => {
    const assetId = inputAssetId(job.inputs);
    return assetId ? (names[assetId] ?? null) : null;
  };
}
