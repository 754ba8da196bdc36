import { multipartBody } from '../../net/multipart';
import { AppError } from '../../../../shared/errors';
import type { InputPhoto, ProviderContext, SubmitContext } from '../contract';
import { ProviderRequestError } from '../../net/http';
import { parseJson } from '../../net/tolerant';
import { failureMessage, MAX_UPLOAD_BYTES } from './api';
import { readObjectId, readPictureList, type Picture } from './read';

/**
 * How a photo reaches AIXpose. `file` (default) sends it in the request as multipart; `base64`
 * sends it inside a JSON body (for proxies that refuse multipart); `url` hands AIXpose a presigned
 * link to the user's staging storage, so a slow uplink uploads once to storage the user controls.
 */
export const UPLOAD_MODES = ['file', 'url', 'base64'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

export interface UploadFields {
  scene_type: string;
  scene_location: string;
}

/** A ready-to-send upload body, built before the paid-step bookkeeping so a failure here sends nothing. */
export interface PreparedUpload {
  body: Buffer | string;
  contentType: string;
}

/** The photo upright as JPEG (the original is never sent as is: its orientation tag would be lost). */
export async function uprightJpeg(photo: InputPhoto): Promise<Buffer> {
  const encode = (quality: number) =>
    photo.pipeline().removeAlpha().toColourspace('srgb').jpeg({ quality, mozjpeg: false }).toBuffer();
  let bytes = await encode(92);
  if (bytes.length > MAX_UPLOAD_BYTES) bytes = await encode(80);
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new AppError(
      'invalid_input',
      'This photo is too large for AIXpose even at reduced JPEG quality (over 20 MB).',
    );
  }
  return bytes;
}

export async function prepareUpload(
  context: ProviderContext,
  mode: UploadMode,
  bytes: Buffer,
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp',
  fields: UploadFields,
): Promise<PreparedUpload> {
  switch (mode) {
    case 'file':
      return multipart(bytes, mediaType, fields);
    case 'base64':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          source: { type: 'base64', media_type: mediaType, data: bytes.toString('base64') },
          ...fields,
        }),
      };
    case 'url': {
      if (!context.stage) {
        throw new AppError(
          'invalid_input',
          'AIXpose URL uploads need a public image URL: set up staging storage in Settings, or upload files directly.',
        );
      }
      const url = await context.stage(bytes, mediaType);
      return { contentType: 'application/json', body: JSON.stringify({ source: { type: 'url', url }, ...fields }) };
    }
  }
}

/** POSTs a prepared upload to the project, as one at-most-once step; returns the picture id. */
export async function uploadPicture(
  context: SubmitContext,
  stepName: string,
  projectId: string,
  upload: PreparedUpload,
): Promise<string> {
  const done = await context.step(stepName, async (key) => {
    const pictureId = await uploadShared(context, key, projectId, upload);
    return { remoteId: pictureId, result: pictureId };
  });
  return done.result;
}

/**
 * A free upload with a key of the caller's choosing (not a job step): AIXpose replays the same
 * picture for the same key and bytes, so every job that needs this file gets one picture.
 */
export async function uploadShared(
  context: ProviderContext,
  key: string,
  projectId: string,
  upload: PreparedUpload,
): Promise<string> {
  const response = await context.request({
    method: 'POST',
    url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/pictures`,
    headers: { 'idempotency-key': key, 'content-type': upload.contentType },
    body: upload.body,
    call: 'upload',
  });
  const id = readObjectId(response.body, 'id', 'picture_id', 'pictureId');
  // Uploads are free and keyed: asking again with the same key gets the same picture back.
  if (!id) throw new ProviderRequestError('AIXpose did not return a picture id.', { kind: 'invalid_response' });
  return id;
}

const READY_CHECKS = 40;

/**
 * Uploaded pictures can be enhanced or put in a video once they are completed. The doc does not
 * say when that is: at once, or after AIXpose has processed (or, for URL sources, fetched) them.
 * So every upload is waited for; a 409 "not ready" later is a wait too (see meansWait).
 */
export async function waitUntilReady(
  context: ProviderContext,
  projectId: string,
  pictureIds: readonly string[],
  intervalMs: number,
): Promise<void> {
  for (let check = 0; check < READY_CHECKS; check += 1) {
    const all = await listPictures(context, projectId);
    const pictures = pictureIds.map((id) => all.find((candidate) => candidate.id === id));
    if (pictures.every((picture) => picture?.status === 'completed')) return;
    const picture = pictures.find((candidate) => candidate?.status === 'failed');
    if (picture) {
      throw new AppError(
        'invalid_input',
        failureMessage(
          picture.error,
          'AIXpose could not read the uploaded photo (from staging storage, for URL uploads).',
        ),
      );
    }
    await context.sleep(intervalMs);
  }
  // The upload step is recorded: trying again later asks about the same picture, it does not upload again.
  throw new ProviderRequestError('AIXpose is still receiving the photo.', {
    kind: 'http',
    status: 409,
    providerCode: 'request_in_progress',
  });
}

/** The project's pictures, from a list in any of its plausible shapes. */
export async function listPictures(context: ProviderContext, projectId: string): Promise<Picture[]> {
  const response = await context.request({
    method: 'GET',
    url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/pictures`,
    call: 'poll',
  });
  const pictures = readPictureList(parseJson(response.body));
  if (!pictures) {
    throw new ProviderRequestError('AIXpose sent a picture list Shootline cannot read.', { kind: 'invalid_response' });
  }
  return pictures;
}

function multipart(bytes: Buffer, mediaType: string, fields: UploadFields): PreparedUpload {
  const extension = mediaType === 'image/png' ? 'png' : mediaType === 'image/webp' ? 'webp' : 'jpg';
  return multipartBody({ ...fields }, { field: 'file', filename: `photo.${extension}`, mediaType, bytes });
}
