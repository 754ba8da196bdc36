import {
  asRecord,
  LIST_NAMES,
  parseJson,
  pickList,
  pickNumber,
  pickRecord,
  pickString,
  readCharge,
  workStatus,
  type WorkStatus,
} from '../../net/tolerant';

/**
 * AIXpose's answers, read in every form its doc leaves possible (docs/providers/aixpose.md lists
 * each silent point, its readings and which we accept). Every reader returns null (or an empty
 * field) for what it cannot find rather than throwing: the caller decides whether a missing piece
 * is fatal, and for a paid call looks the work up instead.
 */

export interface Picture {
  id: string;
  status: WorkStatus;
  url?: string;
  version?: number;
  subversion?: number;
  /** The picture this one was generated from. */
  sourcePictureId?: string;
  error?: unknown;
}

export interface Video {
  id: string;
  status: WorkStatus;
  url?: string;
  error?: unknown;
}

const ID_FIELDS = ['id', 'picture_id', 'pictureId'];
const URL_FIELDS = ['public_url', 'url', 'cdn_url', 'output_url', 'image_url', 'download_url'];
const STATUS_FIELDS = ['status', 'state'];
const SOURCE_FIELDS = ['source_picture_id', 'parent_picture_id', 'parent_id', 'source_id', 'original_picture_id'];
const PICTURE_LISTS = ['pictures', 'variants', ...LIST_NAMES, 'enhancements', 'outputs'];

export function readPicture(value: unknown): Picture | null {
  const id = pickString(value, ...ID_FIELDS);
  if (!id) return null;
  const record = asRecord(value) ?? {};
  const url = pickString(value, ...URL_FIELDS);
  const version = pickNumber(value, 'version');
  const subversion = pickNumber(value, 'subversion', 'sub_version');
  const source = pickString(value, ...SOURCE_FIELDS);
  return {
    id,
    status: workStatus(pickString(value, ...STATUS_FIELDS)),
    ...(url ? { url } : {}),
    ...(version === undefined ? {} : { version }),
    ...(subversion === undefined ? {} : { subversion }),
    ...(source ? { sourcePictureId: source } : {}),
    ...(record.error === undefined || record.error === null ? {} : { error: record.error }),
  };
}

/** A list of pictures, bare or wrapped; null when the answer holds no list at all. */
export function readPictureList(body: unknown): Picture[] | null {
  const list = pickList(body, ...PICTURE_LISTS);
  if (!list) return null;
  return list.map(readPicture).filter((picture): picture is Picture => picture !== null);
}

export interface EnhancementAnswer {
  pictures: Picture[];
  charged?: number;
  balance?: number;
}

/**
 * The answer to a paid enhancement, in any of its plausible forms: a bare array of pictures; an
 * object holding them (`data`, `pictures`, `variants`, `items`…), possibly inside an `enhancement`
 * object; with or without what was charged and the balance left. Null when no picture can be read.
 */
export function readEnhancementAnswer(raw: Buffer): EnhancementAnswer | null {
  const body = parseJson(raw);
  if (body === undefined) return null;
  const holder = pickRecord(body, 'enhancement', 'result', 'job') ?? body;
  const pictures = readPictureList(holder) ?? readPictureList(body);
  if (!pictures || pictures.length === 0) return null;
  return { pictures, ...readCharge(body), ...readCharge(holder) };
}

export function readVideo(value: unknown): Video | null {
  const id = pickString(value, 'id', 'video_id', 'videoId');
  if (!id) return null;
  const record = asRecord(value) ?? {};
  const url = pickString(value, ...URL_FIELDS);
  return {
    id,
    status: workStatus(pickString(value, ...STATUS_FIELDS)),
    ...(url ? { url } : {}),
    ...(record.error === undefined || record.error === null ? {} : { error: record.error }),
  };
}

/** An object's own id, for answers that are one object (a project, a created video), wrapped or not. */
export function readObjectId(raw: Buffer, ...fields: string[]): string | undefined {
  const body = parseJson(raw);
  return pickString(body, ...fields) ?? pickString(pickRecord(body, 'data', 'project', 'video', 'picture'), ...fields);
}
