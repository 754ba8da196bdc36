import type { Db } from '../connection';
import type { Migration } from './types';

/**
 * A job's remote work becomes structured: `remote_id` is the provider's own id and
 * `remote_data_json` what else its module needs (see main/engine/remote-job.ts). Until now AIXpose
 * packed that into the id as strings it parsed back (`video:<id>`, `publish:<project>`,
 * `<project>/<picture>,<picture>`); its jobs and their recorded paid steps are rewritten into the
 * shapes its module now writes, so work in flight when the app was updated resumes unchanged.
 */
export const migration0016: Migration = {
  version: 16,
  name: 'structured remote jobs',
  sql: `ALTER TABLE jobs ADD COLUMN remote_data_json TEXT;`,
  rewrite: rewriteAixposeRemoteIds,
};

interface LegacyRemote {
  id: string;
  data: { kind: 'video' } | { kind: 'publish' } | { kind: 'pictures'; projectId: string; pictureIds: string[] };
}

/** What an AIXpose remote id of the old encoding meant; null for an id in no form it wrote. */
export function readLegacyAixposeRemote(encoded: string): LegacyRemote | null {
  if (encoded.startsWith('video:')) return { id: encoded.slice('video:'.length), data: { kind: 'video' } };
  if (encoded.startsWith('publish:')) return { id: encoded.slice('publish:'.length), data: { kind: 'publish' } };
  const slash = encoded.indexOf('/');
  if (slash <= 0) return null;
  const projectId = encoded.slice(0, slash);
  const pictureIds = encoded
    .slice(slash + 1)
    .split(',')
    .filter((id) => id !== '');
  return { id: pictureIds[0] ?? projectId, data: { kind: 'pictures', projectId, pictureIds } };
}

function rewriteAixposeRemoteIds(db: Db): void {
  const jobs = db
    .prepare(`SELECT id, remote_id FROM jobs WHERE provider = 'aixpose' AND remote_id IS NOT NULL`)
    .all() as { id: string; remote_id: string }[];
  const updateJob = db.prepare('UPDATE jobs SET remote_id = ?, remote_data_json = ? WHERE id = ?');
  for (const job of jobs) {
    const remote = readLegacyAixposeRemote(job.remote_id);
    if (!remote) continue;
    updateJob.run(remote.id, JSON.stringify(remote.data), job.id);
  }
  // The paid steps a resumed submit replays: 'enhance' now records its pictures in its result.
  const steps = db
    .prepare(
      `SELECT s.job_id, s.step, s.remote_id, s.result_json FROM job_steps s JOIN jobs j ON j.id = s.job_id
       WHERE j.provider = 'aixpose' AND s.step IN ('enhance', 'video', 'publish') AND s.remote_id IS NOT NULL`,
    )
    .all() as { job_id: string; step: string; remote_id: string; result_json: string | null }[];
  const updateStep = db.prepare('UPDATE job_steps SET remote_id = ?, result_json = ? WHERE job_id = ? AND step = ?');
  for (const step of steps) {
    const remote = readLegacyAixposeRemote(step.remote_id);
    if (!remote) continue;
    const result = step.result_json;
    const rewritten =
      remote.data.kind === 'pictures'
        ? JSON.stringify({ ...objectOf(result), pictureIds: remote.data.pictureIds })
        : result;
    updateStep.run(remote.id, rewritten, step.job_id, step.step);
  }
}

function objectOf(json: string | null): Record<string, unknown> {
  const value: unknown = json === null ? null : JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
