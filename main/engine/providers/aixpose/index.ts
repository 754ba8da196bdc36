import { AppError } from '../../../../shared/errors';
import type { FetchedOutput, PollResult, ProviderContext, ProviderModule } from '../contract';
import { downloadImageOutput, downloadVideoOutput } from '../download';
import { ProviderRequestError } from '../../net/http';
import { providerWords } from '../../net/provider-errors';
import { parseJson, pickRecord } from '../../net/tolerant';
import { aixposeAccount } from './account';
import { failureMessage, meansWait } from './api';
import { listPictures } from './pictures';
import { readVideo, type Picture } from './read';
import { readRemote } from './remote';
import {
  AIXPOSE_ID,
  EnhanceParamsSchema,
  PublishParamsSchema,
  submitEnhance,
  submitPublish,
  submitVideo,
  VideoParamsSchema,
} from './submit';

/**
 * AIXpose (docs: ../shared/api-docs/aixpose.txt; what we assumed: docs/providers/aixpose.md).
 * One project per shoot; a photo is uploaded (multipart by default, or base64, or a staging URL),
 * enhanced into variants, followed by polling the project's pictures, and its outputs downloaded
 * from the CDN with AIXpose's own picture id, version and subversion. Videos and publishing work on
 * the shoot's approved variants. Every POST carries an Idempotency-Key: each paid one is derived
 * from the job's key and the step, so a resend after a crash or a lost answer is replayed by
 * AIXpose, never charged twice. Answers are read in every form the doc leaves possible.
 */
export { AIXPOSE_ID };
export const AIXPOSE_BASE_URL = 'https://api.aixpose.art';
/** Assumed prices (A10): one credit per generated picture, ten per video. */
const VIDEO_CREDITS = 10;

export function createAixposeProvider(options: { pollIntervalMs?: number } = {}): ProviderModule {
  const pollIntervalMs = options.pollIntervalMs ?? 3_000;
  return wrapRequests({
    id: AIXPOSE_ID,
    name: 'AIXpose',
    accountFields: [{ id: 'key', label: 'API key', secret: true, send: { bearer: true } }],
    unit: { one: 'credit', many: 'credits', fractionDigits: 0 },
    generative: true,
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
        inputs: { source: 'photo' },
        // Its actions include virtual staging and sky replacement: disclosed as a composite.
        effect: 'composite',
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
        inputs: { source: 'none', shootVariants: 'approved' },
        effect: 'composite',
        makes: 'video',
        paid: true,
      },
      publish: {
        label: 'Publish project',
        description: "Publishes the shoot's AIXpose project with its approved variants.",
        params: PublishParamsSchema,
        hints: {},
        inputs: { source: 'none', shootVariants: 'approved' },
        effect: 'none',
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
          return submitVideo(context, pollIntervalMs);
        case 'publish':
          return submitPublish(context, pollIntervalMs);
        default:
          throw new AppError('invalid_input', `AIXpose has no operation ${context.job.operation}.`);
      }
    },

    poll: async (context, remote) => {
      const work = readRemote(remote);
      if (work.kind === 'video') return pollVideo(context, remote.id);
      if (work.kind === 'publish') return { status: 'done', outputs: [] };
      const { projectId, pictureIds: wanted } = work;
      const all = await listPictures(context, projectId);
      const pictures = wanted.map((id) => all.find((picture) => picture.id === id));
      const failed = pictures.find((picture) => picture?.status === 'failed');
      if (failed)
        return { status: 'failed', message: failureMessage(failed.error, 'AIXpose could not make this enhancement.') };
      if (!pictures.every((picture) => picture?.status === 'completed' && picture.url)) {
        const done = pictures.filter((picture) => picture?.status === 'completed').length;
        return { status: 'pending', progress: wanted.length > 0 ? done / wanted.length : 0 };
      }
      return {
        status: 'done',
        outputs: pictures.map((picture, index) => ({
          index,
          url: picture?.url ?? '',
          kind: 'image' as const,
          ...(picture ? { remote: identity(picture) } : {}),
        })),
      };
    },

    fetchOutputs: async (context, _remote, outputs) => {
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

async function pollVideo(context: ProviderContext, videoId: string): Promise<PollResult> {
  const response = await context.request({
    method: 'GET',
    url: `${context.baseUrl}/v1/videos/${encodeURIComponent(videoId)}`,
    call: 'poll',
  });
  const body = parseJson(response.body);
  const video = readVideo(body) ?? readVideo(pickRecord(body, 'data', 'video'));
  if (!video)
    throw new ProviderRequestError('AIXpose sent a video Shootline cannot read.', { kind: 'invalid_response' });
  if (video.status === 'failed') {
    return { status: 'failed', message: failureMessage(video.error, 'AIXpose could not make this video.') };
  }
  if (video.status !== 'completed' || !video.url) return { status: 'pending' };
  return { status: 'done', outputs: [{ index: 0, url: video.url, kind: 'video', remote: { id: video.id } }] };
}

function identity(picture: Picture): { id: string; version?: number; subversion?: number } {
  return {
    id: picture.id,
    ...(typeof picture.version === 'number' ? { version: picture.version } : {}),
    ...(typeof picture.subversion === 'number' ? { subversion: picture.subversion } : {}),
  };
}

/**
 * AIXpose answers 409 while the first request with a key is still being processed (a resend after
 * a crash can meet it), or while a picture is not ready yet; the doc fixes neither code, so any
 * of their plausible wordings (see meansWait) is the queue's "still in progress", to be asked
 * again, not a refusal. Every context the module is given has its requests translated so.
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
          error.response &&
          meansWait(error.failure.status, error.failure.providerCode, providerWords(error.response.body).message ?? '')
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
    poll: (context, remote) => module.poll(translate(context), remote),
    fetchOutputs: (context, remote, outputs) => module.fetchOutputs(translate(context), remote, outputs),
  };
}
