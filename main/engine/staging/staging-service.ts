import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';
import type { StagingView } from '../../../shared/providers';
import { isTerminal } from '../../../shared/job-model';
import type { Db } from '../db/connection';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import {
  clearStagingSettings,
  forgetStagedObjects,
  readStagingSettings,
  recordStagedObject,
  saveStagingSettings,
  stagedKeysOnlyFor,
  forgetStagedObject,
} from '../db/staging-repo';
import { fetchVia } from '../net/fetch-via';
import { stagingAddressRule, type HostResolver } from '../net/network';
import type { SecretStore } from '../secrets/secret-store';
import { Staging, StagingSettingsSchema, type StagingSettingsInput } from './staging';

/** The SecretStore entry that holds the staging secret access key. */
const SECRET_ID = 'staging';

const StoredSchema = StagingSettingsSchema.omit({ secretAccessKey: true });

/**
 * The user's staging storage: settings in the database, the secret key in the SecretStore. URL-only
 * providers get a `stage` function from here while it is set up, and none otherwise.
 */
export class StagingService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    /** How the store's host name becomes addresses (the system's DNS unless injected). */
    private readonly resolve?: HostResolver,
  ) {}

  configured(): boolean {
    return StoredSchema.safeParse(readStagingSettings(this.db)).success;
  }

  /**
   * One thing at a time per object: a job staging the same content another job is releasing (a
   * variation re-staging its original as the first generation ends) waits for the delete, then
   * uploads again, instead of handing out a link to an object about to vanish.
   */
  private readonly objectLocks = new Map<string, Promise<unknown>>();

  private withObject<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.objectLocks.get(key) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    this.objectLocks.set(key, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.objectLocks.get(key) === next) this.objectLocks.delete(key);
      });
    return next;
  }

  /** Uploads (once per content) and returns a presigned URL; null while staging is not set up. */
  stageFunction(jobId: string | null): ((bytes: Uint8Array, contentType: string) => Promise<string>) | null {
    if (!this.configured()) return null;
    return async (bytes, contentType) => {
      const staging = await this.open();
      const hash = createHash('sha256').update(bytes).digest('hex');
      const key = staging.keyFor(hash, contentType);
      return this.withObject(key, async () => {
        // Recorded before the upload: a release from now on sees this job still needs the object.
        if (jobId) recordStagedObject(this.db, jobId, key, Date.now());
        return (await staging.stage(hash, bytes, contentType)).url;
      });
    };
  }

  /**
   * Releases a job's staged copies as soon as it ends (done, failed, canceled), so the bucket holds
   * nothing no job needs. Returns the way to stop: no more releases start, and those under way
   * finish before the library they record in closes.
   */
  releaseWhenJobsEnd(events: EventHub, log: Logger): () => Promise<void> {
    const underWay = new Set<Promise<unknown>>();
    const unlisten = events.on('job.updated', (job) => {
      if (!isTerminal(job.state)) return;
      const releasing = this.releaseForJob(job.id).catch((error: unknown) =>
        log.warn('staging.cleanup_failed', { jobId: job.id, error }),
      );
      underWay.add(releasing);
      void releasing.finally(() => underWay.delete(releasing));
    });
    return async () => {
      unlisten();
      await Promise.allSettled([...underWay]);
    };
  }

  /**
   * A job ended: with cleanup on, its staged objects that no unfinished job also uses are deleted
   * from the bucket. Either way the job's records go. A failed delete is logged by the caller; the
   * object then stays until the bucket's own lifecycle rule (if any) removes it.
   */
  async releaseForJob(jobId: string): Promise<string[]> {
    const keys = stagedKeysOnlyFor(this.db, jobId);
    const stored = StoredSchema.safeParse(readStagingSettings(this.db));
    const released: string[] = [];
    if (stored.success && stored.data.cleanup && keys.length > 0) {
      const staging = await this.open();
      for (const key of keys) {
        const deleted = await this.withObject(key, async () => {
          // Asked again under the object's lock: another job may have staged it meanwhile, or
          // this job's end may be heard twice (the second finds nothing left to release).
          if (!stagedKeysOnlyFor(this.db, jobId).includes(key)) return false;
          await staging.release(key);
          forgetStagedObject(this.db, jobId, key);
          return true;
        });
        if (deleted) released.push(key);
      }
    }
    forgetStagedObjects(this.db, jobId);
    return released;
  }

  async view(): Promise<StagingView> {
    const stored = StoredSchema.safeParse(readStagingSettings(this.db));
    const secret = await this.secrets.describe(SECRET_ID);
    if (!stored.success) return { configured: false, settings: null, secret };
    return { configured: true, settings: stored.data, secret };
  }

  async configure(input: Omit<StagingSettingsInput, 'secretAccessKey'> & { secretAccessKey?: string }, now: number) {
    const secretAccessKey = input.secretAccessKey ?? (await this.secrets.get(SECRET_ID));
    if (!secretAccessKey) throw new AppError('invalid_input', 'The secret access key is required.');
    const parsed = parseOrThrow(StagingSettingsSchema, { ...input, secretAccessKey });
    if (input.secretAccessKey) await this.secrets.set(SECRET_ID, input.secretAccessKey);
    const { secretAccessKey: _secret, ...stored } = parsed;
    saveStagingSettings(this.db, stored, now);
    return this.view();
  }

  async clear(): Promise<StagingView> {
    clearStagingSettings(this.db);
    await this.secrets.remove(SECRET_ID).catch(() => undefined);
    return this.view();
  }

  async test(): Promise<{ ok: boolean; message: string }> {
    if (!this.configured()) return { ok: false, message: 'No staging storage is set up yet.' };
    return (await this.open()).test();
  }

  private async open(): Promise<Staging> {
    const stored = StoredSchema.parse(readStagingSettings(this.db));
    const secretAccessKey = await this.secrets.get(SECRET_ID);
    if (!secretAccessKey)
      throw new AppError('invalid_input', 'The staging secret access key is missing: enter it again in Settings.');
    return new Staging({ ...stored, secretAccessKey }, { fetch: fetchVia(this.resolve, stagingAddressRule) });
  }
}
