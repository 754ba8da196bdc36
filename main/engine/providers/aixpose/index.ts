import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import type { FetchedOutput, InputPhoto, ProviderContext, ProviderModule, SubmitContext } from '../contract';
import { downloadImageOutput } from '../download';
import { ProviderRequestError, type HttpResponse } from '../http';

/**
 * AIXpose (docs: ../shared/api-docs/aixpose.txt; what we assumed: docs/providers/aixpose.md).
 * One project per shoot, the photo uploaded as multipart from the local file, an enhancement with
 * its variants, status by polling the project's pictures, outputs downloaded from the CDN. Every
 * POST carries an Idempotency-Key: the paid enhancement's is derived from the job's key and the
 * step, so a resend after a crash or a lost answer is replayed by AIXpose, never charged twice.
 */
export const AIXPOSE_ID = 'aixpose';
export const AIXPOSE_BASE_URL = 'https://api.aixpose.art';

const SCENE_TYPES = ['interior', 'exterior'] as const;
const ASPECT_RATIOS = ['1:1', '4:3', '3:2', '16:9', '21:9', '3:4', '2:3', '9:16'] as const;
const RESOLUTIONS = ['1K', '2K', '4K'] as const;
/** AIXpose's own upload ceiling is not documented; 20 MB is what we assume and keep under. */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const EnhanceParamsSchema = z
  .object({
    sceneType: z.enum(SCENE_TYPES).default('interior'),
    sceneLocation: z.string().min(1).max(64).default('living_room'),
    /** Preset actions from the catalog, e.g. interior-style-japandi; or a prompt instead. */
    actions: z.array(z.string().min(1).max(100)).max(8).default([]),
    prompt: z.string().trim().min(1).max(2000).optional(),
    variants: z.number().int().min(1).max(4).default(2),
    aspectRatio: z.enum(ASPECT_RATIOS).optional(),
    resolution: z.enum(RESOLUTIONS).default('2K'),
  })
  .strict()
  .refine((params) => params.actions.length > 0 || params.prompt !== undefined, {
    message: 'Choose at least one action, or write a prompt.',
    path: ['actions'],
  });

interface PictureJson {
  id: string;
  project_id?: string;
  status?: string;
  public_url?: string | null;
  version?: number;
  subversion?: number;
  error?: unknown;
}

export function createAixposeProvider(options: { pollIntervalMs?: number } = {}): ProviderModule {
  return wrapRequests({
    id: AIXPOSE_ID,
    name: 'AIXpose',
    auth: 'bearer',
    baseUrl: AIXPOSE_BASE_URL,
    capabilities: { idempotentSubmit: true, reconcile: false, webhooks: true, stream: false },
    concurrency: 4,
    pollIntervalMs: options.pollIntervalMs ?? 3_000,
    operations: {
      enhance: {
        label: 'Real-estate enhancement',
        description: 'Staging, decluttering, renovation or exterior improvements, in several variants.',
        params: EnhanceParamsSchema,
        hints: {
          sceneType: { label: 'Scene' },
          sceneLocation: { label: 'Room or area' },
          actions: { label: 'Actions', help: 'From the AIXpose catalog, e.g. interior-style-japandi.' },
          prompt: { label: 'Instructions (instead of actions)' },
          variants: { label: 'Variants' },
          aspectRatio: { label: 'Aspect ratio' },
          resolution: { label: 'Resolution' },
        },
        inputs: { image: true },
        paid: true,
      },
    },
    // Assumed: one credit per generated picture (the doc gives no prices).
    estimateCost: (_operation, params) => ({ credits: typeof params.variants === 'number' ? params.variants : 2 }),

    submit: async (context) => {
      const { job } = context;
      const params = EnhanceParamsSchema.parse(job.params);
      const assetId = job.inputs.assetIds[0];
      if (!assetId) throw new AppError('invalid_input', 'An AIXpose job needs a photo.');
      const projectId = await ensureProject(context);
      const photo = await context.inputs.photo(assetId);
      const form = await multipart(photo, { scene_type: params.sceneType, scene_location: params.sceneLocation });
      const upload = await context.step('upload', async (key) => {
        const picture = json<PictureJson>(
          await context.request({
            method: 'POST',
            url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/pictures`,
            headers: { 'idempotency-key': key, 'content-type': form.contentType },
            body: form.body,
            timeoutMs: 120_000,
          }),
        );
        return { remoteId: picture.id, result: picture.id };
      });
      const created = await context.step('enhance', async (key) => {
        const instruction = params.prompt
          ? { source: 'prompt', prompt: params.prompt }
          : { source: 'preset', actions: params.actions };
        const body = {
          instruction,
          variants: params.variants,
          resolution: params.resolution,
          ...(params.aspectRatio ? { aspect_ratio: params.aspectRatio } : {}),
        };
        const pictures = json<PictureJson[]>(
          await context.request({
            method: 'POST',
            url: `${context.baseUrl}/v1/pictures/${encodeURIComponent(upload.result)}/enhancements`,
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(body),
            timeoutMs: 60_000,
          }),
        );
        const remoteId = `${projectId}/${pictures.map((picture) => picture.id).join(',')}`;
        return { remoteId, result: null };
      });
      if (!created.remoteId)
        throw new ProviderRequestError('AIXpose returned no pictures.', { kind: 'invalid_response' });
      return { remoteId: created.remoteId };
    },

    poll: async (context, remoteId) => {
      const [projectId = '', list = ''] = remoteId.split('/');
      const wanted = list.split(',').filter((id) => id !== '');
      const answer = json<{ data: PictureJson[] }>(
        await context.request({
          method: 'GET',
          url: `${context.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/pictures`,
          timeoutMs: 30_000,
        }),
      );
      const pictures = wanted.map((id) => answer.data.find((picture) => picture.id === id));
      if (pictures.some((picture) => picture?.status === 'failed')) {
        return { status: 'failed', message: 'AIXpose could not make this enhancement.' };
      }
      if (!pictures.every((picture) => picture?.status === 'completed' && picture.public_url))
        return { status: 'pending' };
      return {
        status: 'done',
        outputs: pictures.map((picture, index) => ({ index, url: picture?.public_url ?? '', kind: 'image' as const })),
      };
    },

    fetchOutputs: async (context, _remoteId, outputs) => {
      const fetched: FetchedOutput[] = [];
      for (const output of outputs)
        if (output.url) fetched.push(await downloadImageOutput(context, 'AIXpose', output.url, output.index));
      return fetched;
    },

    account: {
      balance: async (context) => {
        const answer = json<{ balance?: unknown }>(
          await context.request({ method: 'GET', url: `${context.baseUrl}/v1/credits/balance`, timeoutMs: 15_000 }),
        );
        if (typeof answer.balance !== 'number') {
          throw new ProviderRequestError('AIXpose sent a balance Shootline cannot read.', { kind: 'invalid_response' });
        }
        return answer.balance;
      },
    },
  });
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
      timeoutMs: 30_000,
    }),
  );
  if (!project.id) throw new ProviderRequestError('AIXpose did not return a project id.', { kind: 'invalid_response' });
  return project.id;
}

/** The photo upright as JPEG (the original file is never sent as is: its orientation tag would be lost). */
async function multipart(
  photo: InputPhoto,
  fields: Record<string, string>,
): Promise<{ body: Buffer; contentType: string }> {
  let bytes = await photo.pipeline().removeAlpha().toColourspace('srgb').jpeg({ quality: 92 }).toBuffer();
  if (bytes.length > MAX_UPLOAD_BYTES) {
    bytes = await photo.pipeline().removeAlpha().toColourspace('srgb').jpeg({ quality: 80 }).toBuffer();
  }
  const boundary = `shootline-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function json<T>(response: HttpResponse): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch {
    throw new ProviderRequestError('AIXpose sent an answer that is not JSON.', { kind: 'invalid_response' });
  }
}
