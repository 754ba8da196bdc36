import { migration0001 } from './0001-settings-and-shoots';
import { migration0002 } from './0002-work-model';
import { migration0003 } from './0003-hot-folders';
import { migration0004 } from './0004-asset-identity';
import { migration0005 } from './0005-photo-details';
import { migration0006 } from './0006-default-recipe';
import { migration0007 } from './0007-staging';
import { migration0008 } from './0008-provider-identity';
import { migration0009 } from './0009-exports';
import { migration0010 } from './0010-key-origin';
import { migration0011 } from './0011-possible-charges';
import { migration0012 } from './0012-request-log';
import { migration0013 } from './0013-inputs-by-role-and-mask-versions';
import { migration0014 } from './0014-budgets-per-provider';
import { migration0015 } from './0015-webhook-deliveries';
import { migration0016 } from './0016-structured-remote-jobs';
import { migration0017 } from './0017-copies-are-photos';
import { migration0018 } from './0018-managed-shoots';
import { migration0019 } from './0019-turns-and-crop-focus';
import { migration0020 } from './0020-variant-content-hash';
import { migration0021 } from './0021-garments';
import { migration0022 } from './0022-remote-lookups-and-refused-operations';
import { migration0023 } from './0023-file-identity';
import { migration0024 } from './0024-library-at-scale';
import { migration0025 } from './0025-finished-jobs-by-state';
import type { Migration } from './types';

/** Every migration, in order. Versions are 1..N with no gaps (checked by the runner). */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
  migration0015,
  migration0016,
  migration0017,
  migration0018,
  migration0019,
  migration0020,
  migration0021,
  migration0022,
  migration0023,
  migration0024,
  migration0025,
];
