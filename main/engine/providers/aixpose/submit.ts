import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import { UnreadablePaidAnswer, type SubmitContext, type SubmitResult } from '../contract';
import { ProviderRequestError, type HttpResponse } from '../../net/http';
import { excerpt, LIST_NAMES, parseJson, pickList, readCharge } from '../../net/tolerant';
import {
  ASPECT_RATIO_PATTERN,
  MAX_VIDEO_PICTURES,
  PROMPT_SOURCE,
  RESOLUTIONS,
  SCENE_TYPES,
  VIDEO_DIRECTION_FIELDS,
} from './api';
import {
  listPictures,
  prepareUpload,
  UPLOAD_MODES,
  uploadPicture,
  uploadShared,
  uprightJpeg,
  waitUntilReady,
} from './pictures';
import { readEnhancementAnswer, readObjectId, readVideo } from './read';
import { picturesRemote, publishRemote, videoRemote } from './remote';

export const AIXPOSE_ID = 'aixpose';

const aspectRatio = z.string().regex(ASPECT_RATIO_PATTERN, 'An aspect ratio is written W:H, e.g. 16:9.');

export const EnhanceParamsSchema = z
  .object({
    sceneType: z.enum(SCENE_TYPES).default('interior'),
    sceneLocation: z.string().min(1).max(64).default('living_room'),
    /** Preset actions from the catalog, e.g. interior-style-japandi; or a quick action, or a prompt. */
    actions: z.array(z.string().min(1).max(100)).max(8).default([]),
    quickAction: z.string().min(1).max(100).optional(),
    prompt: z.string().trim().min(1).max(2000).optional(),
    variants: z.number().int().min(1).max(4).default(2),
    aspectRatio: aspectRatio.optional(),
    resolution: z.enum(RESOLUTIONS).default('2K'),
    model: z.string().min(1).max(100).optional(),
    upload: z.enum(UPLOAD_MODES).default('file'),
  })
  .strict()
  .superRefine((params, context) => {
    const chosen = [params.actions.length > 0, params.quickAction !== undefined, params.prompt !== undefined];
    const count = chosen.filter(Boolean).length;
    if (count === 0) {
      context.addIssue({
        code: 'custom',
        path: ['actions'],
        message: 'Choose actions, a quick action or write a prompt.',
      });
    } else if (count > 1) {
      context.addIssue({
        code: 'custom',
        path: ['actions'],
        message: 'Use one kind of instruction per recipe: actions, a quick action or a prompt.',
      });
    }
  });

export const VideoParamsSchema = z
  .object({
    sceneContext: z.string().trim().min(1).max(1000).optional(),
    voiceDirection: z.string().trim().min(1).max(500).optional(),
    backgroundDirection: z.string().trim().min(1).max(500).optional(),
    aspectRatio: aspectRatio.optional(),
  })
  .strict();

export const PublishParamsSchema = z.object({}).strict();

/**
 * Upload (waited for until AIXpose has it), then one paid enhancement. Its answer is read in any
 * plausible form; if it cannot be read at all, the work is looked up among the project's pictures
 * (those generated from this job's own upload) before the job goes to review.
 */
export async function submitEnhance(context: SubmitContext, readyCheckMs: number): Promise<SubmitResult> {
  const { job } = context;
  const params = EnhanceParamsSchema.parse(job.params);
  const source = job.inputs.source;
  if (!source) throw new AppError('invalid_input', 'An AIXpose enhancement needs a photo.');
  const projectId = await ensureProject(context);
  const photo = await context.inputs.image(source);
  const upload = await prepareUpload(context, params.upload, await uprightJpeg(photo), 'image/jpeg', {
    scene_type: params.sceneType,
    scene_location: params.sceneLocation,
  });
  const pictureId = await uploadPicture(context, 'upload', projectId, upload);
  await waitUntilReady(context, projectId, [pictureId], readyCheckMs);
  const created = await context.step('enhance', async (key) => {
    const instruction = params.prompt
      ? { source: PROMPT_SOURCE, prompt: params.prompt }
      : params.quickAction
        ? { source: 'quick_action', quick_action_id: params.quickAction }
        : { source: 'preset', actions: params.actions };
    const body = {
      instruction,
      variants: params.variants,
      resolution: params.resolution,
      ...(params.aspectRatio ? { aspect_ratio: params.aspectRatio } : {}),
      ...(params.model ? { model: params.model } : {}),
    };
    const response = await context.request({
      method: 'POST',
      url: `${context.baseUrl}/v1/pictures/${encodeURIComponent(pictureId)}/enhancements`,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      call: 'submit',
    });
    const answer = readEnhancementAnswer(response.body);
    const ids =
      answer?.pictures.map((picture) => picture.id) ?? (await findGenerated(context, projectId, pictureId, response));
    const charge = {
      ...(answer?.charged === undefined ? {} : { charged: answer.charged }),
      ...(answer?.balance === undefined ? {} : { balance: answer.balance }),
    };
    return { remoteId: ids[0] ?? null, result: { ...charge, pictureIds: ids } };
  });
  // A recorded step is read back from the library: checked, not trusted.
  const recorded: unknown = created.result.pictureIds;
  const pictureIds = Array.isArray(recorded) ? recorded.filter((id): id is string => typeof id === 'string') : [];
  if (pictureIds.length === 0)
    throw new ProviderRequestError('AIXpose returned no pictures.', { kind: 'invalid_response' });
  return { remote: picturesRemote(projectId, pictureIds), ...chargeOf(created.result) };
}

/**
 * The pictures an enhancement made, when its answer could not be read: those the project lists as
 * generated from this job's upload (the upload is the job's own, so nothing else derives from it).
 */
async function findGenerated(
  context: SubmitContext,
  projectId: string,
  sourceId: string,
  response: HttpResponse,
): Promise<string[]> {
  const generated = (await listPictures(context, projectId)).filter((picture) => picture.sourcePictureId === sourceId);
  if (generated.length > 0) return generated.map((picture) => picture.id);
  throw new UnreadablePaidAnswer(
    'AIXpose answered the enhancement in a form Shootline cannot read, and no picture made from this photo was found.',
    `AIXpose answered ${response.status} with ${excerpt(response.body)}`,
  );
}

/**
 * The AIXpose picture ids of the job's approved variants, in order, each ready for use. Variants
 * AIXpose made are already pictures of the shoot's project; any other (a local enhancement) is
 * uploaded once per shoot, with an Idempotency-Key derived from the variant (uploads are free),
 * and waited for until AIXpose has it.
 */
export async function approvedPictureIds(
  context: SubmitContext,
  projectId: string,
  readyCheckMs: number,
): Promise<string[]> {
  const variantIds = context.job.inputs.variants ?? [];
  if (variantIds.length === 0) throw new AppError('invalid_input', 'Approve at least one variant of this shoot first.');
  if (variantIds.length > MAX_VIDEO_PICTURES) {
    throw new AppError(
      'invalid_input',
      `AIXpose takes at most ${MAX_VIDEO_PICTURES} pictures; ${variantIds.length} are approved.`,
    );
  }
  const ids: string[] = [];
  const uploaded: string[] = [];
  for (const variantId of variantIds) {
    const variant = await context.inputs.variant(variantId);
    if (variant.provider === AIXPOSE_ID && variant.remote) {
      ids.push(variant.remote.id);
      continue;
    }
    const mediaType =
      variant.mimeType === 'image/png' || variant.mimeType === 'image/webp' ? variant.mimeType : 'image/jpeg';
    if (mediaType === 'image/jpeg' && variant.mimeType !== 'image/jpeg') {
      throw new AppError(
        'invalid_input',
        `AIXpose cannot take a ${variant.mimeType} variant; export it as JPEG first.`,
      );
    }
    // Assumed (the doc is silent): a picture added for a video is described as the shoot's scene, interior by default.
    const upload = await prepareUpload(context, 'file', variant.bytes, mediaType, {
      scene_type: 'interior',
      scene_location: 'living_room',
    });
    // Keyed by the variant, not the job: a video and a later publish find the same picture again.
    const id = await uploadShared(context, `shootline-variant-${variantId}`, projectId, upload);
    ids.push(id);
    uploaded.push(id);
  }
  if (uploaded.length > 0) await waitUntilReady(context, projectId, uploaded, readyCheckMs);
  return ids;
}

export async function submitVideo(context: SubmitContext, readyCheckMs: number): Promise<SubmitResult> {
  const params = VideoParamsSchema.parse(context.job.params);
  const projectId = await ensureProject(context);
  const pictureIds = await approvedPictureIds(context, projectId, readyCheckMs);
  const created = await context.step('video', async (key) => {
    const body = {
      project_id: projectId,
      picture_ids: pictureIds,
      ...(params.sceneContext ? { scene_context: params.sceneContext } : {}),
      ...(params.voiceDirection ? { [VIDEO_DIRECTION_FIELDS.voice]: params.voiceDirection } : {}),
      ...(params.backgroundDirection ? { [VIDEO_DIRECTION_FIELDS.background]: params.backgroundDirection } : {}),
      ...(params.aspectRatio ? { aspect_ratio: params.aspectRatio } : {}),
    };
    const response = await context.request({
      method: 'POST',
      url: `${context.baseUrl}/v1/videos`,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      call: 'submit',
    });
    const id =
      readObjectId(response.body, 'id', 'video_id', 'videoId') ??
      (await findVideo(context, projectId, pictureIds, response));
    return { remoteId: id, result: readCharge(parseJson(response.body)) };
  });
  if (!created.remoteId)
    throw new ProviderRequestError('AIXpose did not return a video id.', { kind: 'invalid_response' });
  return { remote: videoRemote(created.remoteId), ...chargeOf(created.result) };
}

/** The video a request made, when its answer could not be read: the project's video of these pictures. */
async function findVideo(
  context: SubmitContext,
  projectId: string,
  pictureIds: readonly string[],
  response: HttpResponse,
): Promise<string> {
  const listed = await context.request({
    method: 'GET',
    url: `${context.baseUrl}/v1/videos?project_id=${encodeURIComponent(projectId)}`,
    call: 'read',
  });
  const wanted = [...pictureIds].sort().join(',');
  const videos = (pickList(parseJson(listed.body), 'videos', ...LIST_NAMES) ?? []).filter((video) => {
    const ids = pickList(video, 'picture_ids', 'pictures');
    return ids !== null && ids.map(String).sort().join(',') === wanted;
  });
  const found = videos.length > 0 ? readVideo(videos[videos.length - 1]) : null;
  if (found) return found.id;
  throw new UnreadablePaidAnswer(
    'AIXpose answered the video request in a form Shootline cannot read, and no video of these pictures was found.',
    `AIXpose answered ${response.status} with ${excerpt(response.body)}`,
  );
}

export async function submitPublish(context: SubmitContext, readyCheckMs: number): Promise<SubmitResult> {
  const projectId = await ensureProject(context);
  await approvedPictureIds(context, projectId, readyCheckMs);
  await context.step('publish', async (key) => {
    await context.request({
      method: 'POST',
      url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/publish`,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: '{}',
      call: 'submit',
    });
    return { remoteId: projectId, result: null };
  });
  return { remote: publishRemote(projectId) };
}

/**
 * The shoot's project, created with a key derived from the shoot: every job of the shoot asks with
 * the same key and AIXpose answers with the same project (projects are free; assumption A3).
 */
async function ensureProject(context: SubmitContext): Promise<string> {
  const shoot = context.job.shootId ?? 'no-shoot';
  const response = await context.request({
    method: 'POST',
    url: `${context.baseUrl}/v1/projects`,
    headers: { 'content-type': 'application/json', 'idempotency-key': `shootline-project-${shoot}` },
    body: JSON.stringify({
      name: `Shootline shoot ${shoot}`,
      output: 'picture',
      picture_aspect_ratio: '3:2',
      picture_resolution: '2K',
    }),
    call: 'submit',
  });
  const id = readObjectId(response.body, 'id', 'project_id', 'projectId');
  if (!id) throw new ProviderRequestError('AIXpose did not return a project id.', { kind: 'invalid_response' });
  return id;
}

/** A step's stored result as the charge it recorded (steps recorded before charges were read hold null). */
function chargeOf(result: unknown): { charged?: number; balance?: number } {
  return readCharge(result);
}
