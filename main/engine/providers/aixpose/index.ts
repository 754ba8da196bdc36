import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import type { FetchedOutput, ProviderContext, ProviderModule, SubmitContext } from '../contract';
import { downloadImageOutput, downloadVideoOutput } from '../download';
import { ProviderRequestError } from '../http';
import { aixposeAccount } from './account';
import {
  ASPECT_RATIOS,
  failureMessage,
  json,
  MAX_VIDEO_PICTURES,
  RESOLUTIONS,
  SCENE_TYPES,
  type PictureJson,
  type VideoJson,
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

/**
 * AIXpose (docs: ../shared/api-docs/aixpose.txt; what we assumed: docs/providers/aixpose.md).
 * One project per shoot; a photo is uploaded (multipart by default, or base64, or a staging URL),
 * enhanced into variants, followed by polling the project's pictures, and its outputs downloaded
 * from the CDN with AIXpose's own picture id, version and subversion. Videos and publishing work on
 * the shoot's approved variants. Every POST carries an Idempotency-Key: each paid one is derived
 * from the job's key and the step, so a resend after a crash or a lost answer is replayed by
 * AIXpose, never charged twice.
 */
export const AIXPOSE_ID = 'aixpose';
export const AIXPOSE_BASE_URL = 'https://api.aixpose.art';
/** Assumed prices (A10): one credit per generated picture, ten per video. */
const VIDEO_CREDITS = 10;

const EnhanceParamsSchema = z
  .object({
    sceneType: z.enum(SCENE_TYPES).default('interior'),
    sceneLocation: z.string().min(1).max(64).default('living_room'),
    /** Preset actions from the catalog, e.g. interior-style-japandi; or a quick action, or a prompt. */
    actions: z.array(z.string().min(1).max(100)).max(8).default([]),
    quickAction: z.string().min(1).max(100).optional(),
    prompt: z.string().trim().min(1).max(2000).optional(),
    variants: z.number().int().min(1).max(4).default(2),
    aspectRatio: z.enum(ASPECT_RATIOS).optional(),
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

const VideoParamsSchema = z
  .object({
    sceneContext: z.string().trim().min(1).max(1000).optional(),
    voiceDirection: z.string().trim().min(1).max(500).optional(),
    backgroundDirection: z.string().trim().min(1).max(500).optional(),
    aspectRatio: z.enum(ASPECT_RATIOS).optional(),
  })
  .strict();

const PublishParamsSchema = z.object({}).strict();

export function createAixposeProvider(options: { pollIntervalMs?: number } = {}): ProviderModule {
  const pollIntervalMs = options.pollIntervalMs ?? 3_000;
  return wrapRequests({
    id: AIXPOSE_ID,
    name: 'AIXpose',
    auth: 'bearer',
    baseUrl: AIXPOSE_BASE_URL,
    capabilities: { idempotentSubmit: true, reconcile: false, webhooks: true, stream: false },
    concurrency: 4,
    pollIntervalMs,
    operations: {
      enhance: {
        label: 'Real-estate enhancement',
        description: 'Staging, decluttering, renovation or exterior improvements, in several variants.',
        params: EnhanceParamsSchema,
        hints: {
          sceneType: { label: 'Scene' },
          sceneLocation: { label: 'Room or area', catalog: 'scene_location' },
          actions: { label: 'Actions', help: 'One per group, for the scene chosen.', catalog: 'action' },
          quickAction: { label: 'Quick action', catalog: 'quick_action' },
          prompt: { label: 'Instructions (instead of actions)' },
          variants: { label: 'Variants' },
          aspectRatio: { label: 'Aspect ratio', catalog: 'aspect_ratio' },
          resolution: { label: 'Resolution' },
          model: { label: 'Model', catalog: 'model' },
          upload: {
            label: 'Send photos as',
            help: 'file: in the request (default); url: a link to your staging storage; base64: inside JSON.',
          },
        },
        inputs: { image: true },
        paid: true,
      },
      video: {
        label: 'Listing video',
        description: "A narrated listing video from the shoot's approved variants (up to 20).",
        params: VideoParamsSchema,
        hints: {
          sceneContext: { label: 'About the property' },
          voiceDirection: { label: 'Voice-over direction' },
          backgroundDirection: { label: 'Music direction' },
          aspectRatio: { label: 'Aspect ratio', catalog: 'aspect_ratio' },
        },
        inputs: { image: false, shootVariants: 'approved' },
        paid: true,
      },
      publish: {
        label: 'Publish project',
        description: "Publishes the shoot's AIXpose project with its approved variants.",
        params: PublishParamsSchema,
        hints: {},
        inputs: { image: false, shootVariants: 'approved' },
        paid: false,
      },
    },
    estimateCost: (operation, params) => {
      if (operation === 'video') return { credits: VIDEO_CREDITS };
      if (operation === 'publish') return { credits: 0 };
      return { credits: typeof params.variants === 'number' ? params.variants : 2 };
    },

    submit: async (context) => {
      switch (context.job.operation) {
        case 'enhance':
          return submitEnhance(context, pollIntervalMs);
        case 'video':
          return submitVideo(context);
        case 'publish':
          return submitPublish(context);
        default:
          throw new AppError('invalid_input', `AIXpose has no operation ${context.job.operation}.`);
      }
    },

    poll: async (context, remoteId) => {
      if (remoteId.startsWith('video:')) return pollVideo(context, remoteId.slice('video:'.length));
      if (remoteId.startsWith('publish:')) return { status: 'done', outputs: [] };
      const [projectId = '', list = ''] = remoteId.split('/');
      const wanted = list.split(',').filter((id) => id !== '');
      const all = await listPictures(context, projectId);
      const pictures = wanted.map((id) => all.find((picture) => picture.id === id));
      const failed = pictures.find((picture) => picture?.status === 'failed');
      if (failed)
        return { status: 'failed', message: failureMessage(failed.error, 'AIXpose could not make this enhancement.') };
      if (!pictures.every((picture) => picture?.status === 'completed' && picture.public_url)) {
        const done = pictures.filter((picture) => picture?.status === 'completed').length;
        return { status: 'pending', progress: wanted.length > 0 ? done / wanted.length : 0 };
      }
      return {
        status: 'done',
        outputs: pictures.map((picture, index) => ({
          index,
          url: picture?.public_url ?? '',
          kind: 'image' as const,
          ...(picture ? { remote: identity(picture) } : {}),
        })),
      };
    },

    fetchOutputs: async (context, _remoteId, outputs) => {
      const fetched: FetchedOutput[] = [];
      for (const output of outputs) {
        if (!output.url) continue;
        const file =
          output.kind === 'video'
            ? await downloadVideoOutput(context, output.url, output.index)
            : await downloadImageOutput(context, output.url, output.index);
        fetched.push(output.remote ? { ...file, remote: output.remote } : file);
      }
      return fetched;
    },

    account: aixposeAccount,
  });
}

async function submitEnhance(context: SubmitContext, readyCheckMs: number): Promise<{ remoteId: string }> {
  const { job } = context;
  const params = EnhanceParamsSchema.parse(job.params);
  const assetId = job.inputs.assetIds[0];
  if (!assetId) throw new AppError('invalid_input', 'An AIXpose enhancement needs a photo.');
  const projectId = await ensureProject(context);
  const photo = await context.inputs.photo(assetId);
  const upload = await prepareUpload(context, params.upload, await uprightJpeg(photo), 'image/jpeg', {
    scene_type: params.sceneType,
    scene_location: params.sceneLocation,
  });
  const pictureId = await uploadPicture(context, 'upload', projectId, upload);
  if (params.upload === 'url') await waitUntilReady(context, projectId, pictureId, readyCheckMs);
  const created = await context.step('enhance', async (key) => {
    const instruction = params.prompt
      ? { source: 'prompt', prompt: params.prompt }
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
    const pictures = json<PictureJson[]>(
      await context.request({
        method: 'POST',
        url: `${context.baseUrl}/v1/pictures/${encodeURIComponent(pictureId)}/enhancements`,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        call: 'submit',
      }),
    );
    if (!Array.isArray(pictures) || pictures.length === 0) {
      throw new ProviderRequestError('AIXpose returned no pictures.', { kind: 'invalid_response' });
    }
    return { remoteId: `${projectId}/${pictures.map((picture) => picture.id).join(',')}`, result: null };
  });
  if (!created.remoteId) throw new ProviderRequestError('AIXpose returned no pictures.', { kind: 'invalid_response' });
  return { remoteId: created.remoteId };
}

/**
 * The AIXpose picture ids of the job's approved variants, in order. Variants AIXpose made are
 * already pictures of the shoot's project; any other (a local enhancement, another provider's)
 * is uploaded once per shoot, with an Idempotency-Key derived from the variant (uploads are free).
 */
async function approvedPictureIds(context: SubmitContext, projectId: string): Promise<string[]> {
  const variantIds = context.job.inputs.variantIds ?? [];
  if (variantIds.length === 0) {
    throw new AppError('invalid_input', 'Approve at least one variant of this shoot first.');
  }
  if (variantIds.length > MAX_VIDEO_PICTURES) {
    throw new AppError(
      'invalid_input',
      `AIXpose takes at most ${MAX_VIDEO_PICTURES} pictures; ${variantIds.length} are approved.`,
    );
  }
  const ids: string[] = [];
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
    ids.push(await uploadShared(context, `shootline-variant-${variantId}`, projectId, upload));
  }
  return ids;
}

async function submitVideo(context: SubmitContext): Promise<{ remoteId: string }> {
  const params = VideoParamsSchema.parse(context.job.params);
  const projectId = await ensureProject(context);
  const pictureIds = await approvedPictureIds(context, projectId);
  const created = await context.step('video', async (key) => {
    const body = {
      project_id: projectId,
      picture_ids: pictureIds,
      ...(params.sceneContext ? { scene_context: params.sceneContext } : {}),
      ...(params.voiceDirection ? { voice_direction: params.voiceDirection } : {}),
      ...(params.backgroundDirection ? { background_direction: params.backgroundDirection } : {}),
      ...(params.aspectRatio ? { aspect_ratio: params.aspectRatio } : {}),
    };
    const video = json<VideoJson>(
      await context.request({
        method: 'POST',
        url: `${context.baseUrl}/v1/videos`,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        call: 'submit',
      }),
    );
    if (!video.id) throw new ProviderRequestError('AIXpose did not return a video id.', { kind: 'invalid_response' });
    return { remoteId: `video:${video.id}`, result: null };
  });
  if (!created.remoteId)
    throw new ProviderRequestError('AIXpose did not return a video id.', { kind: 'invalid_response' });
  return { remoteId: created.remoteId };
}

async function submitPublish(context: SubmitContext): Promise<{ remoteId: string }> {
  const projectId = await ensureProject(context);
  await approvedPictureIds(context, projectId);
  await context.step('publish', async (key) => {
    await context.request({
      method: 'POST',
      url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/publish`,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: '{}',
      call: 'submit',
    });
    return { remoteId: `publish:${projectId}`, result: null };
  });
  return { remoteId: `publish:${projectId}` };
}

async function pollVideo(context: ProviderContext, videoId: string) {
  const video = json<VideoJson>(
    await context.request({
      method: 'GET',
      url: `${context.baseUrl}/v1/videos/${encodeURIComponent(videoId)}`,
      call: 'poll',
    }),
  );
  if (video.status === 'failed') {
    return { status: 'failed' as const, message: failureMessage(video.error, 'AIXpose could not make this video.') };
  }
  if (video.status !== 'completed' || !video.public_url) return { status: 'pending' as const };
  return {
    status: 'done' as const,
    outputs: [{ index: 0, url: video.public_url, kind: 'video' as const, remote: { id: video.id } }],
  };
}

function identity(picture: PictureJson): { id: string; version?: number; subversion?: number } {
  return {
    id: picture.id,
    ...(typeof picture.version === 'number' ? { version: picture.version } : {}),
    ...(typeof picture.subversion === 'number' ? { subversion: picture.subversion } : {}),
  };
}

/**
 * AIXpose answers 409 `idempotency_key_in_use` while the first request with a key is still being
 * processed (a resend after a crash can meet it): that is the queue's "still in progress", to be
 * asked again, not a refusal. Every context the module is given has its requests translated so.
 */
function wrapRequests(module: ProviderModule): ProviderModule {
  const translate = <C extends ProviderContext>(context: C): C => ({
    ...context,
    request: async (request) => {
      try {
        return await context.request(request);
      } catch (error) {
        if (
          error instanceof ProviderRequestError &&
          error.failure.kind === 'http' &&
          error.failure.providerCode === 'idempotency_key_in_use'
        ) {
          throw new ProviderRequestError(
            'AIXpose is still working on the same request.',
            { ...error.failure, providerCode: 'request_in_progress' },
            error.response,
          );
        }
        throw error;
      }
    },
  });
  return {
    ...module,
    submit: (context) => module.submit(translate(context)),
    poll: (context, remoteId) => module.poll(translate(context), remoteId),
    fetchOutputs: (context, remoteId, outputs) => module.fetchOutputs(translate(context), remoteId, outputs),
  };
}

/**
 * The shoot's project, created with a key derived from the shoot: every job of the shoot asks with
 * the same key and AIXpose answers with the same project (projects are free; assumption A3).
 */
async function ensureProject(context: SubmitContext): Promise<string> {
  const shoot = context.job.shootId ?? 'no-shoot';
  const project = json<{ id?: string }>(
    await context.request({
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
    }),
  );
  if (!project.id) throw new ProviderRequestError('AIXpose did not return a project id.', { kind: 'invalid_response' });
  return project.id;
}
