import { errorAnswer, getAnswer, noPhotosAnswer, type Answer, type IacreaForms, type Problem } from './forms';
import type { FaultBox } from './faults';
import type { Registry } from './generations';
import {
  areaOf,
  isProblem,
  loadImage,
  maskChannel,
  type FetchLimits,
  type ImageRole,
  type LoadedImage,
} from './images';
import type { GenerationRecord, IacreaCounters, ReceivedMask, RequestRecord, Route } from './types';
import { BodyCheck, GENERATE_FIELDS, GET_FIELDS, VARIATION_FIELDS } from './validate';

/**
 * The three endpoints and the output files, after routing, the key (I2) and the JSON body (I5) were
 * checked in server.ts. Every refusal records each of its problems as a violation.
 */

/** A problem, and the injected fault behind it when there is one. */
export type Finding = Problem & { fault?: 'fetch-expired' };

export interface EndpointContext {
  forms: () => IacreaForms;
  registry: Registry;
  faults: FaultBox;
  counters: IacreaCounters;
  limits: FetchLimits;
  now: () => number;
  violate: (entry: RequestRecord, finding: Finding) => void;
  advise: (entry: RequestRecord, problem: Problem) => void;
}

/** The request as the endpoint sees it: its record, the key's user, its parsed body. */
export interface Call {
  entry: RequestRecord;
  keyUser: string;
  body: Record<string, unknown>;
}

const refuse = (ctx: EndpointContext, entry: RequestRecord, status: number, findings: readonly Finding[]): Answer => {
  for (const finding of findings) ctx.violate(entry, finding);
  return errorAnswer(status, findings, ctx.forms());
};

/** A valid user_id that is not the key's user: 403 on its own (I3). */
const mismatch = (ctx: EndpointContext, call: Call, userId: string | null): Answer | null => {
  if (userId === null || userId.toLowerCase() === call.keyUser.toLowerCase()) return null;
  return refuse(ctx, call.entry, 403, [
    { rule: 'user-id-mismatch', reason: 'user_id is not the user this x-api-key belongs to', field: 'user_id' },
  ]);
};

/** Fetches and reads one URL, unless a `fetch-expired` fault stands in for the host (I19). */
async function load(
  ctx: EndpointContext,
  route: Route,
  url: string,
  role: ImageRole,
  field: 'image_url' | 'mask_url' | 'original_url',
): Promise<LoadedImage | Finding> {
  const fallback = route === 'generate-variation' ? 'original_url' : 'image_url';
  const expired = ctx.faults.take(route, ['fetch-expired'], (fault) => (fault.field ?? fallback) === field);
  if (expired) {
    ctx.counters.faulted += 1;
    return {
      rule: `${role}-fetch`,
      reason: `fetching ${field} answered HTTP 403: Request has expired`,
      field,
      fault: 'fetch-expired',
    };
  }
  return loadImage(url, role, field, ctx.limits);
}

const within1 = (a: { width: number; height: number }, b: { width: number; height: number }): boolean => {
  const ratio = b.width / b.height;
  return Math.abs(a.width / a.height - ratio) / ratio <= 0.01;
};

/** Checks a fetched mask against the photo (I8) and reads its area; advisories are returned for later. */
async function readMask(
  ctx: EndpointContext,
  mask: LoadedImage,
  url: string,
  photo: { width: number; height: number },
  findings: Finding[],
): Promise<{ mask: ReceivedMask; advice: Problem[] } | null> {
  const forms = ctx.forms();
  const field = 'mask_url';
  const sizes = `mask_url is ${mask.width}×${mask.height} but the photo is ${photo.width}×${photo.height} (upright)`;
  const before = findings.length;
  if (forms.maskFormat === 'png-exact' && mask.format !== 'png') {
    findings.push({ rule: 'mask-format', reason: `mask_url must be a PNG (got a ${mask.format})`, field });
  }
  const sameSize = mask.width === photo.width && mask.height === photo.height;
  if (!sameSize && forms.maskFormat !== 'same-aspect') findings.push({ rule: 'mask-size', reason: sizes, field });
  if (!sameSize && forms.maskFormat === 'same-aspect' && !within1(mask, photo)) {
    findings.push({ rule: 'mask-aspect', reason: `${sizes}: another aspect ratio`, field });
  }
  const channel = await maskChannel(mask, forms.maskPolarity);
  if (isProblem(channel)) findings.push(channel);
  if (findings.length > before || isProblem(channel)) return null;
  const area = await areaOf(channel, forms.maskPolarity, photo.width, photo.height);
  const advice: Problem[] = [];
  if (!sameSize) advice.push({ rule: 'mask-resized', reason: `${sizes}; the mask was resized`, field });
  if (area.count === 0) advice.push({ rule: 'mask-empty', reason: 'the mask marks no area to build in', field });
  if (area.count === area.width * area.height) {
    advice.push({ rule: 'mask-full', reason: 'the mask marks the whole photo as the area to build in', field });
  }
  return {
    mask: {
      url,
      reusedFrom: null,
      format: mask.format,
      width: mask.width,
      height: mask.height,
      sha256: mask.sha256,
      hasAlpha: mask.hasAlpha,
      pixels: channel.pixels,
      polarity: forms.maskPolarity,
      area,
      resized: !sameSize,
    },
    advice,
  };
}

/** Whether a `fail` fault claims the generation about to be created (I19). */
const failure = (ctx: EndpointContext, route: Route): string | null => {
  const fault = ctx.faults.take(route, ['fail']);
  if (!fault) return null;
  ctx.counters.faulted += 1;
  return fault.reason ?? 'The generation failed';
};

export async function generate(ctx: EndpointContext, call: Call): Promise<Answer> {
  const { entry } = call;
  const check = new BodyCheck(call.body, GENERATE_FIELDS, 'POST /api/create_exterior/generate');
  const userId = check.uuid('user_id');
  const imageUrl = check.url('image_url', true);
  const maskUrl = check.url('mask_url', true);
  const roomType = check.roomType();
  const width = check.side('width');
  const height = check.side('height');
  const webhook = check.url('webhook', false);
  const forbidden = mismatch(ctx, call, userId);
  if (forbidden) return forbidden;
  if (check.problems.length > 0 || !userId || !imageUrl || !maskUrl || !roomType || !width || !height) {
    return refuse(ctx, entry, 400, check.problems);
  }

  const [image, mask] = await Promise.all([
    load(ctx, 'generate', imageUrl, 'image', 'image_url'),
    load(ctx, 'generate', maskUrl, 'mask', 'mask_url'),
  ]);
  const findings: Finding[] = [image, mask].filter(isProblem);
  if (isProblem(image) || isProblem(mask)) return refuse(ctx, entry, 400, findings);

  const sizeRule = ctx.forms().sizeRule;
  const asked = `width×height is ${width}×${height} but image_url is ${image.width}×${image.height} (upright)`;
  if (sizeRule === 'exact' && (width !== image.width || height !== image.height)) {
    findings.push({ rule: 'size-mismatch', reason: asked, field: 'width' });
  }
  if (sizeRule === 'aspect' && !within1({ width, height }, image)) {
    findings.push({ rule: 'size-aspect', reason: `${asked}: another aspect ratio`, field: 'width' });
  }
  const read = await readMask(ctx, mask, maskUrl, image, findings);
  if (findings.length > 0 || !read) return refuse(ctx, entry, 400, findings);

  for (const advice of read.advice) ctx.advise(entry, advice);
  if (ctx.registry.balance(userId) < 1) {
    ctx.counters.noPhotos += 1;
    return noPhotosAnswer(ctx.forms());
  }
  const created = ctx.registry.create({
    seq: entry.seq,
    userId,
    project: null,
    parentId: null,
    roomType,
    width,
    height,
    image,
    imageUrl,
    mask: read.mask,
    webhook,
    charge: true,
    failWith: failure(ctx, 'generate'),
  });
  entry.generationId = created.id;
  return {
    status: 200,
    json: {
      generation_id: created.id,
      remaining_photos: ctx.registry.balance(userId),
      project_id: created.projectId,
    },
  };
}

/** The generation named in a body, if this user may use it (I11). */
function findGeneration(
  ctx: EndpointContext,
  entry: RequestRecord,
  id: string,
  userId: string,
): { generation: GenerationRecord } | { answer: Answer } {
  const generation = ctx.registry.get(id);
  if (!generation) {
    const finding = { rule: 'generation-unknown', reason: `no generation ${id}`, field: 'generation_id' };
    return { answer: refuse(ctx, entry, 404, [finding]) };
  }
  if (generation.userId.toLowerCase() !== userId.toLowerCase()) {
    const finding = {
      rule: 'generation-not-yours',
      reason: `no generation ${id} for this user`,
      field: 'generation_id',
    };
    return { answer: refuse(ctx, entry, 404, [finding]) };
  }
  entry.generationId = generation.id;
  return { generation };
}

export async function variation(ctx: EndpointContext, call: Call): Promise<Answer> {
  const { entry } = call;
  const check = new BodyCheck(call.body, VARIATION_FIELDS, 'POST /api/create_exterior/generate-variation');
  const userId = check.uuid('user_id');
  const generationId = check.uuid('generation_id');
  const originalUrl = check.url('original_url', true);
  const maskUrl = check.url('mask_url', false);
  const roomType = check.roomType();
  const webhook = check.url('webhook', false);
  const forbidden = mismatch(ctx, call, userId);
  if (forbidden) return forbidden;
  if (check.problems.length > 0 || !userId || !generationId || !originalUrl || !roomType) {
    return refuse(ctx, entry, 400, check.problems);
  }
  const found = findGeneration(ctx, entry, generationId, userId);
  if ('answer' in found) return found.answer;
  const parent = found.generation;
  if (parent.status !== 'SUCCEEDED') {
    return refuse(ctx, entry, 409, [
      {
        rule: 'generation-not-succeeded',
        reason: `generation ${parent.id} is ${parent.status}; a variation needs a SUCCEEDED generation`,
        field: 'generation_id',
      },
    ]);
  }
  const project = ctx.registry.projects.get(parent.projectId);
  if (!project) throw new Error(`generation ${parent.id} has no project`);

  const route: Route = 'generate-variation';
  const [original, mask] = await Promise.all([
    load(ctx, route, originalUrl, 'original', 'original_url'),
    maskUrl === null ? Promise.resolve(null) : load(ctx, route, maskUrl, 'mask', 'mask_url'),
  ]);
  const findings: Finding[] = [original, mask].filter((item): item is Finding => item !== null && isProblem(item));
  if (isProblem(original) || (mask && isProblem(mask))) return refuse(ctx, entry, 400, findings);

  const field = 'original_url';
  switch (ctx.forms().originalUrl) {
    case 'same-size':
      if (original.width !== project.image.width || original.height !== project.image.height) {
        const reason = `original_url is ${original.width}×${original.height} but the project's photo is ${project.image.width}×${project.image.height} (upright)`;
        findings.push({ rule: 'original-url-size', reason, field });
      }
      break;
    case 'same-url':
      if (originalUrl !== project.imageUrl) {
        findings.push({ rule: 'original-url-mismatch', reason: "original_url is not the project's image_url", field });
      }
      break;
    case 'same-bytes':
      if (original.sha256 !== project.image.sha256) {
        findings.push({ rule: 'original-url-bytes', reason: "original_url is not the project's photo", field });
      }
      break;
  }
  const read = mask && maskUrl !== null ? await readMask(ctx, mask, maskUrl, original, findings) : null;
  if (findings.length > 0 || (mask && !read)) return refuse(ctx, entry, 400, findings);

  for (const advice of read?.advice ?? []) ctx.advise(entry, advice);
  const cost = ctx.forms().variationCost;
  const charge = cost === 'photo' || (cost === 'new-mask' && maskUrl !== null);
  if (charge && ctx.registry.balance(userId) < 1) {
    ctx.counters.noPhotos += 1;
    return noPhotosAnswer(ctx.forms());
  }
  const created = ctx.registry.create({
    seq: entry.seq,
    userId,
    project,
    parentId: parent.id,
    roomType,
    width: project.width,
    height: project.height,
    image: original,
    imageUrl: originalUrl,
    mask: read?.mask ?? { ...parent.mask, url: null, reusedFrom: parent.id },
    webhook,
    charge,
    failWith: failure(ctx, route),
  });
  entry.generationId = created.id;
  return { status: 200, json: { generation_id: created.id } };
}

export async function get(ctx: EndpointContext, call: Call): Promise<Answer> {
  const { entry } = call;
  const check = new BodyCheck(call.body, GET_FIELDS, 'POST /api/create_exterior/get');
  const userId = check.uuid('user_id');
  const generationId = check.uuid('generation_id');
  const forbidden = mismatch(ctx, call, userId);
  if (forbidden) return forbidden;
  if (check.problems.length > 0 || !userId || !generationId) return refuse(ctx, entry, 400, check.problems);
  const found = findGeneration(ctx, entry, generationId, userId);
  if ('answer' in found) return found.answer;
  ctx.registry.polled(found.generation.id);
  await ctx.registry.advance(found.generation.id);
  const generation = ctx.registry.get(found.generation.id) ?? found.generation;
  const projectVariations = ctx.registry.projects.get(generation.projectId)?.variations ?? 0;
  return getAnswer(
    generation.status,
    ctx.registry.urls(generation),
    { variationIndex: generation.variationIndex, projectVariations },
    ctx.forms(),
  );
}

/** GET or HEAD /files/<id>.jpg (I17). `apiKeyUser` is the user of a known `x-api-key`, or null. */
export function file(
  ctx: EndpointContext,
  entry: RequestRecord,
  outputId: string,
  query: URLSearchParams,
  apiKeyUser: string | null,
): Answer {
  const found = ctx.registry.file(outputId);
  if (!found) return refuse(ctx, entry, 404, [{ rule: 'file-unknown', reason: `no file ${outputId}.jpg` }]);
  entry.generationId = found.generation.id;
  switch (ctx.forms().files) {
    case 'public':
      break;
    case 'key':
      if (entry.apiKey === null || entry.apiKey === '') {
        return refuse(ctx, entry, 401, [{ rule: 'auth-missing-key', reason: 'no x-api-key header' }]);
      }
      if (apiKeyUser === null) {
        return refuse(ctx, entry, 401, [{ rule: 'auth-invalid-key', reason: 'x-api-key is not a valid key' }]);
      }
      if (apiKeyUser.toLowerCase() !== found.generation.userId.toLowerCase()) {
        return refuse(ctx, entry, 404, [{ rule: 'file-not-yours', reason: `no file ${outputId}.jpg for this user` }]);
      }
      break;
    case 'expiring': {
      const expires = Number(query.get('expires') ?? Number.NaN);
      const signature = query.get('signature') ?? '';
      if (!Number.isInteger(expires) || signature !== ctx.registry.sign(outputId, expires)) {
        return refuse(ctx, entry, 403, [
          { rule: 'file-signature', reason: 'the link is not signed or not signed right' },
        ]);
      }
      if (ctx.now() / 1000 > expires) {
        return refuse(ctx, entry, 403, [{ rule: 'file-expired', reason: 'the link has expired' }]);
      }
      break;
    }
  }
  return { status: 200, bytes: found.bytes, contentType: 'image/jpeg' };
}
