import type { StagingView } from '../../../../shared/providers';
import { isHttpUrl } from './use-action';

type Addressing = 'path' | 'virtual';

/** The form's fields as typed; the secret is not among them (it lives in its input until sent). */
export interface Draft {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  urlExpirySeconds: string;
  cleanup: boolean;
  addressing: Addressing;
}

export type Field = 'endpoint' | 'bucket' | 'accessKeyId' | 'secretAccessKey' | 'urlExpirySeconds';
export type FieldErrors = Partial<Record<Field, string>>;

/** What the engine accepts for a link's lifetime: 5 minutes to 7 days. */
export const MIN_EXPIRY_SECONDS = 300;
export const MAX_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

/** The engine's defaults, offered when nothing is set up yet. */
export function draftFrom(view: StagingView): Draft {
  const settings = view.settings;
  if (!settings) {
    return {
      endpoint: '',
      region: '',
      bucket: '',
      prefix: 'shootline/',
      accessKeyId: '',
      urlExpirySeconds: '3600',
      cleanup: true,
      addressing: 'path',
    };
  }
  return {
    endpoint: settings.endpoint,
    region: settings.region,
    bucket: settings.bucket,
    prefix: settings.prefix,
    accessKeyId: settings.accessKeyId,
    urlExpirySeconds: String(settings.urlExpirySeconds),
    cleanup: settings.cleanup,
    addressing: settings.addressing,
  };
}

export function validate(draft: Draft, secret: string, secretSaved: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (!isHttpUrl(draft.endpoint.trim())) {
    errors.endpoint = 'Enter the storage address, starting with http:// or https://.';
  }
  if (!draft.bucket.trim()) errors.bucket = 'Enter the bucket name.';
  if (!draft.accessKeyId.trim()) errors.accessKeyId = 'Enter the access key ID.';
  if (!secret && !secretSaved) errors.secretAccessKey = 'Enter the secret access key.';
  const expiry = Number(draft.urlExpirySeconds.trim());
  if (!/^\d+$/.test(draft.urlExpirySeconds.trim()) || expiry < MIN_EXPIRY_SECONDS || expiry > MAX_EXPIRY_SECONDS) {
    errors.urlExpirySeconds = `Enter a whole number of seconds from ${MIN_EXPIRY_SECONDS} (5 minutes) to ${MAX_EXPIRY_SECONDS} (7 days).`;
  }
  return errors;
}
