import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { readSandboxVideo } from '../sandbox/video/read';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentJson,
  type AixposeSandbox,
  type AixposeSandboxOptions,
  type PictureJson,
  type ProjectJson,
  startAixposeSandbox,
  type VideoJson,
} from '../sandbox/aixpose/server';
import { corpusPath } from '../support/corpus';
import { tempDir } from '../support/temp';

/**
 * The AIXpose sandbox against its doc (shared/api-docs/aixpose.txt) and the assumptions written at
 * the top of test/sandbox/aixpose/server.ts: every rule is shown refusing a wrong request and
 * recording why, the doc's own examples are shown passing, and every fault mode is shown doing what
 * the adapter will have to survive. All traffic is real HTTP on loopback.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PHOTO = 'photos/after-the-rain_pentax-k7_srgb.jpg'; // 3000x1993, orientation 1
const SMALL = 'photos/canon-s400_odd-exif-offsets.jpg'; // 640x480
const ROTATED = 'photos/panasonic-gf1_orient6.jpg'; // stored 640x428, orientation 6: shown 428x640
const PROJECT = {
  name: 'Gdynia apartment campaign',
  output: 'picture',
  picture_aspect_ratio: '16:9',
  picture_resolution: '2K',
};
const PRESET = { source: 'preset', actions: ['interior-style-japandi', 'interior-decoration-medium'] };

interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[]; field?: string };
}
interface Reply<T = ErrorBody> {
  status: number;
  headers: Headers;
  body: T;
}
interface CallOptions {
  json?: unknown;
  /** Sent as is (FormData sets its own Content-Type). */
  body?: string | Buffer | FormData;
  headers?: Record<string, string>;
  /** Bearer key; `null` sends no Authorization header. Default: the sandbox's key. */
  key?: string | null;
  /** Default: a fresh UUID on POST, none otherwise; `null` sends none. */
  idempotencyKey?: string | null;
  signal?: AbortSignal;
}

async function start(options: AixposeSandboxOptions = {}): Promise<AixposeSandbox> {
  const sandbox = await startAixposeSandbox({ speed: 1000, ...options });
  cleanups.push(sandbox.close);
  return sandbox;
}

async function call<T = ErrorBody>(
  sandbox: AixposeSandbox,
  method: string,
  route: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? sandbox.apiKey : options.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const idempotencyKey =
    options.idempotencyKey === undefined && method === 'POST' ? crypto.randomUUID() : options.idempotencyKey;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${sandbox.baseUrl}${route}`, {
    method,
    headers: { ...headers, ...options.headers },
    body: body instanceof Buffer ? new Uint8Array(body) : body,
    signal: options.signal,
  });
  const text = await response.text();
  // A JSON answer is parsed (problem+json too); anything else (an HTML error page) is kept as text.
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  const parsed: unknown = !text ? null : isJson ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: parsed as T };
}

function photoForm(file: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append(
    'file',
    new Blob([new Uint8Array(fs.readFileSync(corpusPath(file)))], { type: 'image/jpeg' }),
    'photo.jpg',
  );
  for (const [name, value] of Object.entries({ scene_type: 'interior', scene_location: 'living_room', ...fields })) {
    form.append(name, value);
  }
  return form;
}

async function newProject(sandbox: AixposeSandbox, overrides: Record<string, unknown> = {}): Promise<ProjectJson> {
  const reply = await call<ProjectJson>(sandbox, 'POST', '/v1/projects', { json: { ...PROJECT, ...overrides } });
  expect(reply.status).toBe(201);
  return reply.body;
}

async function upload(
  sandbox: AixposeSandbox,
  projectId: string,
  file = SMALL,
  fields: Record<string, string> = {},
): Promise<PictureJson> {
  const reply = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${projectId}/pictures`, {
    body: photoForm(file, fields),
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

async function enhance(sandbox: AixposeSandbox, pictureId: string, body: unknown, idempotencyKey?: string) {
  return enhanceAs<PictureJson[]>(sandbox, pictureId, body, idempotencyKey);
}

/** An enhancement whose answer is read in another form than the default array. */
async function enhanceAs<T>(sandbox: AixposeSandbox, pictureId: string, body: unknown, idempotencyKey?: string) {
  return call<T>(sandbox, 'POST', `/v1/pictures/${pictureId}/enhancements`, { json: body, idempotencyKey });
}

async function listPictures(sandbox: AixposeSandbox, projectId: string): Promise<PictureJson[]> {
  const reply = await call<{ data: PictureJson[] }>(sandbox, 'GET', `/v1/projects/${projectId}/pictures`);
  expect(reply.status).toBe(200);
  return reply.body.data;
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls the project's listing (the only documented read of a picture) until these are final. */
async function settled(sandbox: AixposeSandbox, projectId: string, ids: string[]): Promise<PictureJson[]> {
  return waitFor(
    async () => {
      const all = await listPictures(sandbox, projectId);
      const mine = ids.map((id) => all.find((picture) => picture.id === id));
      return mine.every((picture) => picture?.status === 'completed' || picture?.status === 'failed')
        ? (mine as PictureJson[])
        : undefined;
    },
    `pictures ${ids.join(', ')}`,
  );
}

async function download(url: string, headers: Record<string, string> = {}): Promise<Buffer> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** A project with one completed upload, ready to enhance. */
async function withPicture(sandbox: AixposeSandbox, file = SMALL, fields: Record<string, string> = {}) {
  const project = await newProject(sandbox);
  const picture = await upload(sandbox, project.id, file, fields);
  return { project, picture };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A loopback HTTP server: a webhook receiver or a host for URL sources. */
async function startHost(
  handle: (request: http.IncomingMessage, raw: string, response: http.ServerResponse) => void | Promise<void>,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, raw });
      void handle(request, raw, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function webhookReceiver(status: (n: number) => number = () => 200) {
  let n = 0;
  return startHost((_request, _raw, response) => {
    n += 1;
    response.writeHead(status(n)).end();
  });
}

/** Verifies `X-AIXpose-Signature: t=<s>,v1=<hex>` as a receiver would, independently of the sandbox. */
function verifySignature(secret: string, header: string | string[] | undefined, raw: string): boolean {
  if (typeof header !== 'string') return false;
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = Buffer.from(parts.get('v1') ?? '', 'hex');
  const expected = crypto
    .createHmac('sha256', secret)
    .update(`${parts.get('t')}.${raw}`)
    .digest();
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function expectRefused(sandbox: AixposeSandbox, reply: Reply<unknown>, status: number, code: string, reason: RegExp) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect((reply.body as ErrorBody).error).toMatchObject({ code, message: expect.any(String) as string });
  expect(sandbox.violations, JSON.stringify(sandbox.violations)).toHaveLength(1);
  expect(sandbox.violations[0]).toMatchObject({ status, code });
  expect(sandbox.violations[0]?.reason).toMatch(reason);
}

function expectNoCharge(sandbox: AixposeSandbox) {
  expect(sandbox.ledger.filter((entry) => entry.reason !== 'grant')).toEqual([]);
}

/** The MP4's top-level boxes, in order. */
function topBoxes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32BE(at)) {
    if (bytes.readUInt32BE(at) < 8) throw new Error(`bad box size at ${at}`);
    types.push(bytes.toString('latin1', at + 4, at + 8));
  }
  return types;
}

describe('AIXpose sandbox: happy paths', () => {
  it('takes a corpus JPEG through project → upload → 2 variants, moving queued → processing → completed, with real outputs', async () => {
    const sandbox = await start({ speed: 10 }); // queued 200 ms, processing 2 s
    const project = await newProject(sandbox);
    expect(project).toMatchObject({ ...PROJECT, status: 'draft', id: expect.stringMatching(/^prj_/) as string });

    const original = await upload(sandbox, project.id, PHOTO);
    expect(original).toMatchObject({
      project_id: project.id,
      status: 'completed',
      version: 0,
      subversion: 0,
      scene_type: 'interior',
      scene_location: 'living_room',
      source_instruction: null,
    });
    expect(await download(original.public_url ?? '')).toEqual(fs.readFileSync(corpusPath(PHOTO)));

    const reply = await enhance(sandbox, original.id, { instruction: PRESET, variants: 2 }, 'listing-4812-kitchen-v1');
    expect(reply.status).toBe(202);
    expect(reply.body).toHaveLength(2);
    const ids = reply.body.map((picture) => picture.id);
    for (const [index, picture] of reply.body.entries()) {
      expect(picture).toMatchObject({
        status: 'queued',
        public_url: null,
        version: 1,
        subversion: index,
        source_picture_id: original.id,
        source_instruction: PRESET,
        aspect_ratio: '16:9', // the project's default
        resolution: '2K',
      });
    }

    const seen: string[] = [];
    const done = await waitFor(async () => {
      const mine = (await listPictures(sandbox, project.id)).filter((picture) => ids.includes(picture.id));
      const status = mine[0]?.status ?? 'missing';
      if (seen.at(-1) !== status) seen.push(status);
      return mine.every((picture) => picture.status === 'completed') ? mine : undefined;
    }, 'completion');
    // The first poll may land after the queued phase on a busy machine; the order never changes.
    expect([
      ['queued', 'processing', 'completed'],
      ['processing', 'completed'],
    ]).toContainEqual(seen);

    const dir = tempDir('aixpose-outputs-');
    const outputs: Buffer[] = [];
    for (const picture of done) {
      expect(picture.public_url).toMatch(new RegExp(`^${sandbox.cdnUrl}/projects/${project.id}/${picture.id}\\.jpg$`));
      const bytes = await download(picture.public_url ?? '');
      fs.writeFileSync(path.join(dir, `${picture.id}.jpg`), bytes);
      const meta = await sharp(path.join(dir, `${picture.id}.jpg`)).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 2048, height: 1152 });
      outputs.push(bytes);
    }
    // Two different variants, both derived from (and brighter than) the upload.
    expect(outputs[0]?.equals(outputs[1] ?? Buffer.alloc(0))).toBe(false);
    const sourceMean =
      (await sharp(corpusPath(PHOTO)).resize(2048, 1152, { fit: 'cover' }).stats()).channels[0]?.mean ?? 0;
    for (const bytes of outputs) {
      const stats = await sharp(bytes).stats();
      expect(stats.channels[0]?.mean ?? 0).toBeGreaterThan(sourceMean);
    }

    expect(sandbox.ledger.filter((entry) => entry.reason !== 'grant')).toEqual([
      expect.objectContaining({
        amount: -2,
        reason: 'enhancement',
        resourceIds: ids,
        idempotencyKey: 'listing-4812-kitchen-v1',
        route: 'POST /v1/pictures/{picture_id}/enhancements',
        requestId: sandbox.requests.find((request) => request.idempotencyKey === 'listing-4812-kitchen-v1')?.id,
      }),
    ]);
    expect(sandbox.balance).toBe(98);
    expect(sandbox.violations).toEqual([]);
    expect(sandbox.internalErrors).toEqual([]);
  });

  it("accepts the doc's own examples 1–5 as written (URLs pointed at loopback)", async () => {
    const sandbox = await start();
    const photo = fs.readFileSync(corpusPath(SMALL));
    const host = await startHost((_request, _raw, response) => {
      response.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(photo);
    });
    const hook = await webhookReceiver();

    const project = await newProject(sandbox); // example 1 verbatim
    const byUrl = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: {
        source: { type: 'url', url: `${host.url}/listings/4812/living-room.jpg` },
        scene_type: 'interior',
        scene_location: 'living_room',
        webhook_url: `${hook.url}/aixpose/webhook`,
      },
    });
    expect(byUrl.status).toBe(201);
    const multipart = await upload(sandbox, project.id, SMALL, { webhook_url: `${hook.url}/aixpose/webhook` });
    const base64 = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: {
        source: { type: 'base64', media_type: 'image/jpeg', data: photo.toString('base64') },
        scene_type: 'interior',
        scene_location: 'living_room',
      },
    });
    expect(base64.status).toBe(201);
    expect(base64.body.status).toBe('completed');
    const enhanced = await enhance(sandbox, multipart.id, {
      instruction: PRESET,
      variants: 2,
      aspect_ratio: '16:9',
      resolution: '2K',
      webhook_url: `${hook.url}/aixpose/webhook`,
    });
    expect(enhanced.status).toBe(202);
    const [fetched] = await settled(sandbox, project.id, [byUrl.body.id]);
    expect(fetched).toMatchObject({ status: 'completed', version: 0 });
    expect(await download(fetched?.public_url ?? '')).toEqual(photo);
    expect(host.received).toHaveLength(1);
    await sandbox.waitForIdle();
    expect(sandbox.violations).toEqual([]);
    expect(sandbox.internalErrors).toEqual([]);
  });

  it('applies EXIF orientation and the requested aspect ratio and resolution', async () => {
    const sandbox = await start();
    const { project, picture } = await withPicture(sandbox, ROTATED);
    const portrait = await enhance(sandbox, picture.id, {
      instruction: PRESET,
      aspect_ratio: '9:16',
      resolution: '1K',
    });
    const square = await enhance(sandbox, picture.id, { instruction: PRESET, aspect_ratio: '1:1', resolution: '4K' });
    const done = await settled(sandbox, project.id, [portrait.body[0]?.id ?? '', square.body[0]?.id ?? '']);
    const [first, second] = await Promise.all(
      done.map(async (item) => sharp(await download(item.public_url ?? '')).metadata()),
    );
    expect(first).toMatchObject({ width: 576, height: 1024, format: 'jpeg' });
    expect(second).toMatchObject({ width: 4096, height: 4096 });
    // Enhancing an original twice makes versions 1 and 2.
    expect(done.map((item) => [item.version, item.subversion])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(sandbox.violations).toEqual([]);
  });

  it('supports prompt, quick-action and consistency instructions, and refinements add subversions', async () => {
    const sandbox = await start();
    const { project, picture } = await withPicture(sandbox);
    const prompt = await enhance(sandbox, picture.id, {
      instruction: { source: 'custom', prompt: 'Warm evening light, add a sofa.' },
      variants: 2,
    });
    expect(prompt.status).toBe(202);
    const quick = await enhance(sandbox, picture.id, {
      instruction: { source: 'quick_action', quick_action_id: 'qa_virtual_staging' },
    });
    expect(quick.status).toBe(202);
    const [generated] = await settled(sandbox, project.id, [prompt.body[0]?.id ?? '']);
    const refined = await enhance(sandbox, generated?.id ?? '', {
      instruction: { source: 'consistency', reference_picture_id: picture.id },
      variants: 2,
    });
    expect(refined.status).toBe(202);
    const all = await settled(sandbox, project.id, [
      ...prompt.body.map((item) => item.id),
      ...quick.body.map((item) => item.id),
      ...refined.body.map((item) => item.id),
    ]);
    expect(all.map((item) => [item.status, item.version, item.subversion])).toEqual([
      ['completed', 1, 0],
      ['completed', 1, 1],
      ['completed', 2, 0],
      ['completed', 1, 2],
      ['completed', 1, 3],
    ]);
    expect(refined.body[0]?.source_picture_id).toBe(generated?.id);
    expect(sandbox.balance).toBe(100 - 5);
    expect(sandbox.violations).toEqual([]);
  });

  it('serves the catalog, quick actions, agent, credits and ledger', async () => {
    const sandbox = await start({ credits: 7 });
    const models = await call<{ data: { id: string; default: boolean; resolutions: string[] }[] }>(
      sandbox,
      'GET',
      '/v1/catalog/models',
    );
    expect(models.status).toBe(200);
    expect(models.body.data.filter((model) => model.default)).toHaveLength(1);
    const actions = await call<{
      data: { id: string; group: string }[];
      scene_types: { id: string; locations: string[] }[];
    }>(sandbox, 'GET', '/v1/catalog/actions');
    expect(actions.body.data.map((action) => action.id)).toEqual(
      expect.arrayContaining(['interior-style-japandi', 'interior-decoration-medium']),
    );
    expect(actions.body.scene_types.find((scene) => scene.id === 'interior')?.locations).toContain('living_room');
    const ratios = await call<{ data: { id: string }[] }>(sandbox, 'GET', '/v1/catalog/aspect-ratios');
    expect(ratios.body.data.map((ratio) => ratio.id)).toContain('16:9');
    const quick = await call<{ data: { id: string; instruction: { actions: string[] } }[] }>(
      sandbox,
      'GET',
      '/v1/quick-actions',
    );
    const actionIds = new Set(actions.body.data.map((action) => action.id));
    for (const item of quick.body.data) for (const id of item.instruction.actions) expect(actionIds).toContain(id);

    expect((await call<AgentJson>(sandbox, 'GET', '/v1/agent')).body).toMatchObject({
      enabled: false,
      auto_apply: false,
    });
    const patched = await call<AgentJson>(sandbox, 'PATCH', '/v1/agent', { json: { enabled: true } });
    expect(patched.body).toMatchObject({ enabled: true, auto_apply: false });
    expect((await call<AgentJson>(sandbox, 'GET', '/v1/agent')).body.enabled).toBe(true);

    const { picture } = await withPicture(sandbox);
    await enhance(sandbox, picture.id, { instruction: PRESET, variants: 3 }, 'key-3');
    expect((await call<{ balance: number }>(sandbox, 'GET', '/v1/credits/balance')).body).toEqual({ balance: 4 });
    const ledger = await call<{
      data: { amount: number; balance_after: number; reason: string; idempotency_key: string | null }[];
    }>(sandbox, 'GET', '/v1/credits/ledger');
    expect(
      ledger.body.data.map((entry) => [entry.reason, entry.amount, entry.balance_after, entry.idempotency_key]),
    ).toEqual([
      ['grant', 7, 7, null],
      ['enhancement', -3, 4, 'key-3'],
    ]);
    expect(sandbox.violations).toEqual([]);
  });

  it('publishes a project once, idempotently', async () => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const first = await call<ProjectJson>(sandbox, 'POST', `/v1/projects/${project.id}/publish`);
    expect(first.body).toMatchObject({ status: 'published', published_at: expect.any(String) as string });
    const again = await call<ProjectJson>(sandbox, 'POST', `/v1/projects/${project.id}/publish`, { json: {} });
    expect(again.body.published_at).toBe(first.body.published_at);
    expect((await call<ProjectJson>(sandbox, 'GET', `/v1/projects/${project.id}`)).body.status).toBe('published');
    expect(sandbox.violations).toEqual([]);
  });

  it('makes a real MP4 reel from completed pictures, charged once, listed by project', async () => {
    const sandbox = await start();
    const hook = await webhookReceiver();
    const project = await newProject(sandbox);
    const first = await upload(sandbox, project.id, SMALL);
    const second = await upload(sandbox, project.id, PHOTO);
    const created = await call<VideoJson>(sandbox, 'POST', '/v1/videos', {
      json: {
        project_id: project.id,
        picture_ids: [first.id, second.id],
        scene_context: 'Bright two-room apartment near the sea.',
        voice_direction: 'calm, Polish',
        webhook_url: hook.url,
      },
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'queued', public_url: null, aspect_ratio: '16:9' });
    const done = await waitFor(async () => {
      const video = (await call<VideoJson>(sandbox, 'GET', `/v1/videos/${created.body.id}`)).body;
      return video.status === 'completed' ? video : undefined;
    }, 'the video');
    expect(done.duration_seconds).toBe(4);
    const mp4 = await download(done.public_url ?? '');
    expect(topBoxes(mp4)).toEqual(['ftyp', 'mdat', 'moov']);
    // Real H.264 (what Chromium plays): two seconds of frames a picture, at 480 × 270.
    const video = readSandboxVideo(mp4);
    expect(video).toMatchObject({ codec: 'avc1', width: 480, height: 270, fps: 4 });
    expect(video.frames).toHaveLength(16);
    const listed = await call<{ data: VideoJson[] }>(sandbox, 'GET', `/v1/videos?project_id=${project.id}`);
    expect(listed.body.data.map((video) => video.id)).toEqual([created.body.id]);
    expect(sandbox.ledger.at(-1)).toMatchObject({ amount: -10, reason: 'video', resourceIds: [created.body.id] });
    await sandbox.waitForIdle();
    expect(hook.received.map((item) => (JSON.parse(item.raw) as { type: string }).type)).toEqual(['video.completed']);
    expect(sandbox.violations).toEqual([]);
  });

  it('prints its URL and key from the CLI and serves requests', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'test/sandbox/aixpose/main.ts',
        '--port',
        '0',
        '--key',
        'aix_test_cli',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], 'the CLI URL', 20_000);
    expect(stdout).toContain('API key: aix_test_cli');
    const response = await fetch(`${url}/v1/credits/balance`, { headers: { Authorization: 'Bearer aix_test_cli' } });
    expect(await response.json()).toEqual({ balance: 1000 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('AIXpose sandbox: webhooks', () => {
  it('signs every event with the documented scheme and the doc’s event shape', async () => {
    const sandbox = await start({ webhookSecret: 'whsec_test_secret' });
    const hook = await webhookReceiver();
    const { project, picture } = await withPicture(sandbox, SMALL, { webhook_url: `${hook.url}/upload` });
    // The enhancement names no webhook_url: it inherits the source picture's.
    const reply = await enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 });
    await settled(
      sandbox,
      project.id,
      reply.body.map((item) => item.id),
    );
    await sandbox.waitForIdle();

    expect(hook.received).toHaveLength(3);
    for (const item of hook.received) {
      expect(verifySignature('whsec_test_secret', item.headers['x-aixpose-signature'], item.raw)).toBe(true);
      expect(item.headers['content-type']).toBe('application/json');
      const event = JSON.parse(item.raw) as { id: string; type: string; created_at: string; data: PictureJson };
      expect(event.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(event.type).toBe('picture.completed');
      expect(event.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Object.keys(event.data)).toEqual(
        expect.arrayContaining([
          'id',
          'project_id',
          'status',
          'public_url',
          'version',
          'subversion',
          'scene_type',
          'scene_location',
          'source_instruction',
        ]),
      );
      expect(event.data.status).toBe('completed');
    }
    const generated = hook.received.slice(1).map((item) => (JSON.parse(item.raw) as { data: PictureJson }).data);
    expect(generated.map((data) => data.source_instruction)).toEqual([PRESET, PRESET]);
    // The scheme is not trivially satisfied: a changed body or another secret fails.
    const [sample] = hook.received;
    expect(verifySignature('whsec_test_secret', sample?.headers['x-aixpose-signature'], `${sample?.raw} `)).toBe(false);
    expect(verifySignature('whsec_other', sample?.headers['x-aixpose-signature'], sample?.raw ?? '')).toBe(false);
  });

  it('retries a failing receiver with the same event and body, re-signed', async () => {
    const sandbox = await start();
    const hook = await webhookReceiver((n) => (n === 1 ? 500 : 200));
    const { project, picture } = await withPicture(sandbox);
    const reply = await enhance(sandbox, picture.id, { instruction: PRESET, webhook_url: hook.url });
    await settled(sandbox, project.id, [reply.body[0]?.id ?? '']);
    await sandbox.waitForIdle();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]?.raw).toBe(hook.received[1]?.raw);
    expect(sandbox.webhookDeliveries.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    for (const item of hook.received) {
      expect(verifySignature(sandbox.webhookSecret, item.headers['x-aixpose-signature'], item.raw)).toBe(true);
    }
  });

  it('reports a failed generation as picture.failed, with the credit refunded', async () => {
    const sandbox = await start();
    const hook = await webhookReceiver();
    const { project, picture } = await withPicture(sandbox);
    sandbox.setFault({ kind: 'fail_job', code: 'content_policy' });
    const reply = await enhance(sandbox, picture.id, { instruction: PRESET, webhook_url: hook.url });
    expect(reply.status).toBe(202);
    const [failed] = await settled(sandbox, project.id, [reply.body[0]?.id ?? '']);
    expect(failed).toMatchObject({ status: 'failed', public_url: null, error: { code: 'content_policy' } });
    await sandbox.waitForIdle();
    expect((JSON.parse(hook.received[0]?.raw ?? '{}') as { type: string }).type).toBe('picture.failed');
    expect(sandbox.ledger.map((entry) => [entry.reason, entry.amount])).toEqual([
      ['grant', 100],
      ['enhancement', -1],
      ['refund', 1],
    ]);
    expect(sandbox.balance).toBe(100);
  });

  it('fails (and refunds) an enhancement of a truncated JPEG that passed the upload check', async () => {
    const sandbox = await start();
    const { project, picture } = await withPicture(sandbox, 'bad/truncated_40pct_nokia-lumia820.jpg');
    const reply = await enhance(sandbox, picture.id, { instruction: PRESET });
    const [done] = await settled(sandbox, project.id, [reply.body[0]?.id ?? '']);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'generation_failed' } });
    await sandbox.waitForIdle();
    expect(sandbox.balance).toBe(100);
  });

  it('fails a URL source the sandbox cannot fetch', async () => {
    const sandbox = await start();
    const host = await startHost((_request, _raw, response) => {
      response.writeHead(404).end();
    });
    const hook = await webhookReceiver();
    const project = await newProject(sandbox);
    const reply = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: {
        source: { type: 'url', url: `${host.url}/gone.jpg` },
        scene_type: 'interior',
        scene_location: 'kitchen',
        webhook_url: hook.url,
      },
    });
    expect(reply.body.status).toBe('processing');
    const [done] = await settled(sandbox, project.id, [reply.body.id]);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'source_unavailable' } });
    await sandbox.waitForIdle();
    expect((JSON.parse(hook.received[0]?.raw ?? '{}') as { type: string }).type).toBe('picture.failed');
  });
});

describe('AIXpose sandbox: Idempotency-Key', () => {
  it('replays the same enhancement without a second charge, even with keys reordered', async () => {
    const sandbox = await start();
    const { project, picture } = await withPicture(sandbox);
    const body = { instruction: PRESET, variants: 2, aspect_ratio: '16:9', resolution: '2K' };
    const first = await enhance(sandbox, picture.id, body, 'job-1.enhance');
    const reordered = {
      resolution: '2K',
      aspect_ratio: '16:9',
      variants: 2,
      instruction: { actions: PRESET.actions, source: 'preset' },
    };
    const second = await enhance(sandbox, picture.id, reordered, 'job-1.enhance');
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body).toEqual(first.body);
    expect((await listPictures(sandbox, project.id)).length).toBe(3);
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toHaveLength(1);
    expect(sandbox.balance).toBe(98);
    expect(sandbox.requests.filter((request) => request.outcome === 'replayed')).toHaveLength(1);
    expect(sandbox.violations).toEqual([]);
  });

  it('replays a multipart upload sent again with a new boundary', async () => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const route = `/v1/projects/${project.id}/pictures`;
    const first = await call<PictureJson>(sandbox, 'POST', route, { body: photoForm(SMALL), idempotencyKey: 'up-1' });
    const second = await call<PictureJson>(sandbox, 'POST', route, { body: photoForm(SMALL), idempotencyKey: 'up-1' });
    expect(second.body.id).toBe(first.body.id);
    expect(await listPictures(sandbox, project.id)).toHaveLength(1);
    // Another photo under the same key is another request.
    const other = await call(sandbox, 'POST', route, { body: photoForm(PHOTO), idempotencyKey: 'up-1' });
    expect(other.status).toBe(422);
  });

  it('refuses the same key with a different body (422) and charges nothing for it', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    await enhance(sandbox, picture.id, { instruction: PRESET, variants: 1 }, 'job-2');
    const reply = await enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 }, 'job-2');
    expectRefused(sandbox, reply, 422, 'idempotency_key_reused', /job-2.*different request/);
    expect(sandbox.balance).toBe(99);
  });

  it('answers 409 (not a violation) while the first request with the key is still in progress', async () => {
    const sandbox = await start();
    sandbox.setFault({ kind: 'delay', ms: 1_000 }, { route: 'POST /v1/projects' });
    const slow = call<ProjectJson>(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'shoot-9' });
    // The first request's body read and its key reserved: the sandbox says so, no time is guessed.
    await waitFor(() => (sandbox.keysInProgress().includes('shoot-9') ? true : undefined), 'the key reserved');
    const racing = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'shoot-9' });
    expect(racing.status).toBe(409);
    expect(racing.body.error.code).toBe('idempotency_key_in_use');
    expect(racing.headers.get('retry-after')).toBe('1');
    const first = await slow;
    const later = await call<ProjectJson>(sandbox, 'POST', '/v1/projects', {
      json: PROJECT,
      idempotencyKey: 'shoot-9',
    });
    expect(later.body.id).toBe(first.body.id);
    expect(sandbox.projects()).toHaveLength(1);
    expect(sandbox.violations).toEqual([]);
  });

  it('does not store a refused answer: after a 402 the same key works once credits are added', async () => {
    const sandbox = await start({ credits: 1 });
    const { picture } = await withPicture(sandbox);
    const refused = await enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 }, 'job-3');
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({
      error: { code: 'insufficient_credits', details: { required: 2, balance: 1 } },
    });
    expectNoCharge(sandbox);
    expect(sandbox.violations).toEqual([]); // out of credits is not the client's bug
    sandbox.setCredits(10);
    const accepted = await enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 }, 'job-3');
    expect(accepted.status).toBe(202);
    expect(sandbox.balance).toBe(8);
  });

  it('scopes keys per API key', async () => {
    const sandbox = await start({ apiKeys: ['aix_test_second'] });
    const first = await call<ProjectJson>(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'same' });
    const second = await call<ProjectJson>(sandbox, 'POST', '/v1/projects', {
      json: PROJECT,
      idempotencyKey: 'same',
      key: 'aix_test_second',
    });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it.each([
    {
      name: 'a POST without Idempotency-Key',
      key: null,
      code: 'idempotency_key_missing',
      reason: /requires an Idempotency-Key/,
    },
    {
      name: 'a key longer than 255 characters',
      key: 'k'.repeat(256),
      code: 'invalid_request',
      reason: /1–255 visible ASCII/,
    },
    { name: 'a key with a space', key: 'my key', code: 'invalid_request', reason: /1–255 visible ASCII/ },
  ])('refuses $name', async ({ key, code, reason }) => {
    const sandbox = await start();
    const reply = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: key });
    expectRefused(sandbox, reply, 400, code, reason);
    expect(sandbox.projects()).toEqual([]);
  });
});

describe('AIXpose sandbox: auth and routes', () => {
  it('accepts only `Authorization: Bearer <key>` and records every key it saw', async () => {
    const sandbox = await start({ apiKey: 'aix_live_canary_7f3a' });
    expect((await call(sandbox, 'GET', '/v1/credits/balance')).status).toBe(200);
    const wrongKey = await call(sandbox, 'GET', '/v1/credits/balance', { key: 'aix_live_revoked' });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('unauthorized');
    expect(wrongKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(sandbox.violations).toEqual([]); // a revoked key is not an adapter bug
    expect(sandbox.seenApiKeys).toEqual(['aix_live_canary_7f3a', 'aix_live_revoked']);
  });

  it.each([
    { name: 'no Authorization header', headers: {}, reason: /Missing Authorization header/ },
    { name: 'the key in x-api-key', headers: { 'x-api-key': 'aix_test_sandbox_key' }, reason: /not in x-api-key/ },
    { name: 'a Token scheme', headers: { Authorization: 'Token aix_test_sandbox_key' }, reason: /Bearer <key>/ },
    { name: 'Basic auth', headers: { Authorization: 'Basic YWl4OmtleQ==' }, reason: /Bearer <key>/ },
  ] as { name: string; headers: Record<string, string>; reason: RegExp }[])(
    'refuses $name with 401 and records it',
    async ({ headers, reason }) => {
      const sandbox = await start();
      const reply = await call(sandbox, 'GET', '/v1/catalog/models', { key: null, headers });
      expectRefused(sandbox, reply, 401, 'unauthorized', reason);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it('records an API key sent to the public CDN as a leak', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    await download(picture.public_url ?? '', { Authorization: `Bearer ${sandbox.apiKey}` });
    expect(sandbox.violations).toMatchObject([{ target: 'cdn', code: 'credential_leak' }]);
  });

  it.each([
    {
      name: 'GET /v1/pictures/{id} (not in the doc)',
      method: 'GET',
      route: '/v1/pictures/pic_1',
      status: 404,
      code: 'not_found',
      reason: /not an AIXpose endpoint/,
    },
    {
      name: 'GET /v1/projects (no list in the doc)',
      method: 'GET',
      route: '/v1/projects',
      status: 405,
      code: 'method_not_allowed',
      reason: /allowed: POST/,
    },
    {
      name: 'DELETE /v1/projects/{id}',
      method: 'DELETE',
      route: '/v1/projects/prj_1',
      status: 405,
      code: 'method_not_allowed',
      reason: /allowed: GET/,
    },
    {
      name: 'an unversioned path',
      method: 'GET',
      route: '/projects',
      status: 404,
      code: 'not_found',
      reason: /not an AIXpose endpoint/,
    },
    {
      name: 'an unknown project',
      method: 'GET',
      route: '/v1/projects/prj_nope',
      status: 404,
      code: 'not_found',
      reason: /No project prj_nope/,
    },
    {
      name: 'pictures of an unknown project',
      method: 'GET',
      route: '/v1/projects/prj_nope/pictures',
      status: 404,
      code: 'not_found',
      reason: /No project/,
    },
    {
      name: 'an unknown video',
      method: 'GET',
      route: '/v1/videos/vid_nope',
      status: 404,
      code: 'not_found',
      reason: /No video/,
    },
    {
      name: 'videos without project_id',
      method: 'GET',
      route: '/v1/videos',
      status: 400,
      code: 'invalid_request',
      reason: /project_id: query parameter is required/,
    },
    {
      name: 'videos of an unknown project',
      method: 'GET',
      route: '/v1/videos?project_id=prj_nope',
      status: 404,
      code: 'not_found',
      reason: /No project/,
    },
    {
      name: 'an undocumented query parameter',
      method: 'GET',
      route: '/v1/credits/ledger?limit=10',
      status: 400,
      code: 'invalid_request',
      reason: /limit: unknown query parameter/,
    },
    {
      name: 'a repeated query parameter',
      method: 'GET',
      route: '/v1/videos?project_id=a&project_id=b',
      status: 400,
      code: 'invalid_request',
      reason: /project_id: query parameter given more than once/,
    },
    {
      name: 'a path id that is not valid percent-encoding',
      method: 'GET',
      route: '/v1/projects/prj_%E0%A4%A',
      status: 400,
      code: 'invalid_request',
      reason: /not validly percent-encoded/,
    },
  ])('refuses $name', async ({ method, route, status, code, reason }) => {
    const sandbox = await start();
    const reply = await call(sandbox, method, route);
    expectRefused(sandbox, reply, status, code, reason);
  });

  it('answers a reachability probe of the base URL without a violation', async () => {
    const sandbox = await start();
    const response = await fetch(sandbox.baseUrl, { method: 'HEAD' });
    expect(response.status).toBe(404);
    expect(sandbox.violations).toEqual([]);
  });
});

describe('AIXpose sandbox: faults', () => {
  it('answers the next N requests of a route with a 5xx, without processing them', async () => {
    const sandbox = await start();
    sandbox.setFault({ kind: 'status', status: 503, retryAfterSeconds: 2 }, { times: 2, route: 'POST /v1/projects' });
    const catalog = await call(sandbox, 'GET', '/v1/catalog/models'); // another route: untouched
    expect(catalog.status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const reply = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'p-1' });
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('2');
      expect(reply.body.error.code).toBe('service_unavailable');
    }
    expect(sandbox.projects()).toEqual([]);
    const third = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'p-1' });
    expect(third.status).toBe(201);
    expect(sandbox.requests.map((request) => request.fault)).toEqual([null, 'status', 'status', null]);
    expect(sandbox.violations).toEqual([]);
  });

  it('answers 429 with Retry-After', async () => {
    const sandbox = await start();
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 7 });
    const reply = await call(sandbox, 'GET', '/v1/credits/balance');
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('7');
    expect(reply.body.error.code).toBe('rate_limited');
    expect((await call(sandbox, 'GET', '/v1/credits/balance')).status).toBe(200);
  });

  it('enforces an optional rate limit on every request', async () => {
    const sandbox = await start({ rateLimit: { requests: 2, windowMs: 60_000, retryAfterSeconds: 30 } });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await call(sandbox, 'GET', '/v1/agent')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('resets the connection before processing: nothing is created or charged', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    sandbox.setFault({ kind: 'reset_before' }, { route: 'POST /v1/pictures/{picture_id}/enhancements' });
    await expect(enhance(sandbox, picture.id, { instruction: PRESET }, 'job-r')).rejects.toThrow();
    expect(sandbox.pictures()).toHaveLength(1);
    expectNoCharge(sandbox);
    expect(sandbox.requests.at(-1)).toMatchObject({ outcome: 'reset_before', status: null });
    expect((await enhance(sandbox, picture.id, { instruction: PRESET }, 'job-r')).status).toBe(202);
    expect(sandbox.balance).toBe(99);
  });

  it('resets the connection after processing: the work is done and charged once; a retry with the key replays it', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    sandbox.setFault({ kind: 'reset_after' }, { route: 'POST /v1/pictures/{picture_id}/enhancements' });
    await expect(enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 }, 'job-a')).rejects.toThrow();
    expect(sandbox.requests.at(-1)).toMatchObject({ outcome: 'reset_after', status: 202 });
    expect(sandbox.balance).toBe(98);
    const createdIds = sandbox.ledger.at(-1)?.resourceIds;
    const retry = await enhance(sandbox, picture.id, { instruction: PRESET, variants: 2 }, 'job-a');
    expect(retry.status).toBe(202);
    expect(retry.body.map((item) => item.id)).toEqual(createdIds);
    expect(sandbox.balance).toBe(98);
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toHaveLength(1);
  });

  it('delays an answer; work is still done when the client gives up waiting', async () => {
    const sandbox = await start();
    sandbox.setFault({ kind: 'delay', ms: 300 }, { route: 'POST /v1/projects' });
    const started = Date.now();
    const slow = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT });
    expect(slow.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    sandbox.setFault({ kind: 'delay', ms: 300 }, { route: 'POST /v1/projects' });
    await expect(
      call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'p-t', signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await waitFor(() => (sandbox.projects().length === 2 ? true : undefined), 'the abandoned request to be processed');
    await waitFor(() => (sandbox.requests.at(-1)?.outcome === 'client_gone' ? true : undefined), 'the outcome');
    const retry = await call<ProjectJson>(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'p-t' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sandbox.projects()).toHaveLength(2);
  });

  it('becomes unreachable (connections refused) and comes back on the same port with its state', async () => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    await sandbox.setUnreachable(true);
    const error = await fetch(`${sandbox.baseUrl}/v1/projects/${project.id}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await sandbox.setUnreachable(false);
    const reply = await call<ProjectJson>(sandbox, 'GET', `/v1/projects/${project.id}`);
    expect(reply.body.id).toBe(project.id);
  });

  it('injects faults on the CDN separately from the API', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    sandbox.setFault({ kind: 'status', status: 502 }, { target: 'cdn' });
    expect((await call(sandbox, 'GET', '/v1/agent')).status).toBe(200);
    expect((await fetch(picture.public_url ?? '')).status).toBe(502);
    expect((await fetch(picture.public_url ?? '')).status).toBe(200);
    sandbox.setFault({ kind: 'reset_before' }, { target: 'cdn' });
    await expect(fetch(picture.public_url ?? '')).rejects.toThrow();
  });
});

describe('AIXpose sandbox: validation', () => {
  const withoutField = (body: Record<string, unknown>, field: string) =>
    Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

  it.each([
    { name: 'name missing', body: withoutField(PROJECT, 'name'), reason: /name: is required/ },
    { name: 'a blank name', body: { ...PROJECT, name: '   ' }, reason: /name: must not be blank/ },
    { name: 'a name over 200 characters', body: { ...PROJECT, name: 'x'.repeat(201) }, reason: /name: Too big/ },
    { name: 'a numeric name', body: { ...PROJECT, name: 42 }, reason: /name: Invalid input: expected string/ },
    { name: 'output missing', body: withoutField(PROJECT, 'output'), reason: /output: is required/ },
    { name: 'an unknown output', body: { ...PROJECT, output: 'gif' }, reason: /output: Invalid option/ },
    {
      name: 'picture_aspect_ratio missing',
      body: withoutField(PROJECT, 'picture_aspect_ratio'),
      reason: /picture_aspect_ratio: is required/,
    },
    {
      name: 'an aspect ratio not in the catalog',
      body: { ...PROJECT, picture_aspect_ratio: '5:4' },
      reason: /picture_aspect_ratio: Invalid option/,
    },
    {
      name: 'an aspect ratio written 16/9',
      body: { ...PROJECT, picture_aspect_ratio: '16/9' },
      reason: /picture_aspect_ratio: Invalid option/,
    },
    {
      name: 'picture_resolution missing',
      body: withoutField(PROJECT, 'picture_resolution'),
      reason: /picture_resolution: is required/,
    },
    {
      name: 'resolution 8K',
      body: { ...PROJECT, picture_resolution: '8K' },
      reason: /picture_resolution: Invalid option/,
    },
    {
      name: 'resolution in lower case',
      body: { ...PROJECT, picture_resolution: '2k' },
      reason: /picture_resolution: Invalid option/,
    },
    {
      name: 'an undocumented field',
      body: { ...PROJECT, aspectRatio: '16:9' },
      reason: /aspectRatio: is not a documented field/,
    },
    { name: 'an array body', body: [PROJECT], reason: /\(body\): Invalid input: expected object/ },
  ])('POST /v1/projects refuses $name', async ({ body, reason }) => {
    const sandbox = await start();
    const reply = await call(sandbox, 'POST', '/v1/projects', { json: body });
    expectRefused(sandbox, reply, 400, 'invalid_request', reason);
    expect(reply.body.error.details?.[0]?.field).toBeTruthy();
    expect(sandbox.projects()).toEqual([]);
  });

  it.each([
    {
      name: 'invalid JSON',
      body: '{"name": ',
      type: 'application/json',
      status: 400,
      code: 'invalid_request',
      reason: /not valid JSON/,
    },
    {
      name: 'an empty body',
      body: '',
      type: 'application/json',
      status: 400,
      code: 'invalid_request',
      reason: /body is empty/,
    },
    {
      name: 'JSON sent as text/plain',
      body: JSON.stringify(PROJECT),
      type: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
      reason: /must be application\/json/,
    },
    {
      name: 'JSON without Content-Type',
      body: Buffer.from(JSON.stringify(PROJECT)),
      type: null,
      status: 415,
      code: 'unsupported_media_type',
      reason: /must be application\/json/,
    },
  ])('a JSON endpoint refuses $name', async ({ body, type, status, code, reason }) => {
    const sandbox = await start();
    const reply = await call(sandbox, 'POST', '/v1/projects', { body, headers: type ? { 'Content-Type': type } : {} });
    expectRefused(sandbox, reply, status, code, reason);
  });

  it('refuses a body over the size limit with 413', async () => {
    const sandbox = await start({ maxImageBytes: 1000 });
    const project = await newProject(sandbox);
    const big = { source: { type: 'base64', media_type: 'image/jpeg', data: 'A'.repeat(2 * 1024 * 1024) } };
    const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, { json: big });
    expectRefused(sandbox, reply, 413, 'payload_too_large', /larger than/);
  });

  const jpeg = () => fs.readFileSync(corpusPath(SMALL)).toString('base64');
  const pictureBody = (overrides: Record<string, unknown> = {}, source: Record<string, unknown> = {}) => ({
    source: { type: 'base64', media_type: 'image/jpeg', data: jpeg(), ...source },
    scene_type: 'interior',
    scene_location: 'living_room',
    ...overrides,
  });

  it.each([
    { name: 'source missing', body: withoutField(pictureBody(), 'source'), status: 400, reason: /source: is required/ },
    {
      name: 'an unknown source type',
      body: pictureBody({ source: { type: 's3', key: 'a.jpg' } }),
      status: 400,
      reason: /source.type: Invalid discriminator/,
    },
    {
      name: 'a url source without url',
      body: pictureBody({ source: { type: 'url' } }),
      status: 400,
      reason: /source.url: is required/,
    },
    {
      name: 'a relative url',
      body: pictureBody({ source: { type: 'url', url: 'living-room.jpg' } }),
      status: 400,
      reason: /source.url: must be an absolute URL/,
    },
    {
      name: 'a plain-http url off loopback',
      body: pictureBody({ source: { type: 'url', url: 'http://cdn.example.com/a.jpg' } }),
      status: 400,
      reason: /source.url: must be an https URL/,
    },
    {
      name: 'an ftp url',
      body: pictureBody({ source: { type: 'url', url: 'ftp://cdn.example.com/a.jpg' } }),
      status: 400,
      reason: /source.url: must be an https URL/,
    },
    {
      name: 'a url with credentials',
      body: pictureBody({ source: { type: 'url', url: 'https://u:p@cdn.example.com/a.jpg' } }),
      status: 400,
      reason: /source.url: must not carry credentials/,
    },
    {
      name: 'media_type missing',
      body: pictureBody({}, { media_type: undefined }),
      status: 400,
      reason: /source.media_type: is required/,
    },
    {
      name: 'media_type image/gif',
      body: pictureBody({}, { media_type: 'image/gif' }),
      status: 400,
      reason: /source.media_type: Invalid option/,
    },
    {
      name: 'base64 with a data: prefix',
      body: pictureBody({}, { data: `data:image/jpeg;base64,${jpeg()}` }),
      status: 400,
      reason: /source.data: must be padded base64/,
    },
    {
      name: 'base64 with line breaks',
      body: pictureBody({}, { data: `${jpeg().slice(0, 76)}\n${jpeg().slice(76)}` }),
      status: 400,
      reason: /source.data: must be padded base64/,
    },
    {
      name: 'empty base64',
      body: pictureBody({}, { data: '' }),
      status: 400,
      reason: /source.data: must be padded base64/,
    },
    {
      name: 'a media_type that does not match the bytes',
      body: pictureBody({}, { media_type: 'image/png' }),
      status: 400,
      reason: /media_type is image\/png but the data is image\/jpeg/,
    },
    {
      name: 'an undocumented source field',
      body: pictureBody({}, { filename: 'a.jpg' }),
      status: 400,
      reason: /source.filename: is not a documented field/,
    },
    {
      name: 'scene_type missing',
      body: withoutField(pictureBody(), 'scene_type'),
      status: 400,
      reason: /scene_type: is required/,
    },
    {
      name: 'an unknown scene_type',
      body: pictureBody({ scene_type: 'garage' }),
      status: 400,
      reason: /scene_type: Invalid option/,
    },
    {
      name: 'scene_location missing',
      body: withoutField(pictureBody(), 'scene_location'),
      status: 400,
      reason: /scene_location: is required/,
    },
    {
      name: 'an unknown scene_location',
      body: pictureBody({ scene_location: 'moon' }),
      status: 400,
      reason: /scene_location: must be one of living_room/,
    },
    {
      name: 'an interior location on an exterior scene',
      body: pictureBody({ scene_type: 'exterior' }),
      status: 400,
      reason: /scene_location: must be one of facade.*for scene_type exterior/,
    },
    {
      name: 'a plain-http webhook_url off loopback',
      body: pictureBody({ webhook_url: 'http://partner.example/aixpose/webhook' }),
      status: 400,
      reason: /webhook_url: must be an https URL/,
    },
    {
      name: 'a webhook_url that is not a URL',
      body: pictureBody({ webhook_url: 'partner.example' }),
      status: 400,
      reason: /webhook_url: must be an absolute URL/,
    },
    {
      name: 'an undocumented field',
      body: pictureBody({ title: 'Living room' }),
      status: 400,
      reason: /title: is not a documented field/,
    },
  ])('POST /v1/projects/{id}/pictures (JSON) refuses $name', async ({ body, status, reason }) => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, { json: body });
    expectRefused(sandbox, reply, status, 'invalid_request', reason);
    expect(sandbox.pictures()).toEqual([]);
  });

  it.each([
    {
      name: 'a text file',
      data: () => fs.readFileSync(corpusPath('bad/text-file-renamed.jpg')),
      status: 415,
      code: 'unsupported_media_type',
      reason: /JPEG, PNG or WebP/,
    },
    {
      name: 'a JPEG header followed by junk',
      data: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]),
      status: 400,
      code: 'invalid_request',
      reason: /cannot be read/,
    },
  ])('a base64 upload refuses $name', async ({ data, status, code, reason }) => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: pictureBody({}, { data: data().toString('base64') }),
    });
    expectRefused(sandbox, reply, status, code, reason);
  });

  const form = (parts: [string, string | Blob][]) => {
    const built = new FormData();
    for (const [name, value] of parts) {
      if (typeof value === 'string') built.append(name, value);
      else built.append(name, value, 'upload.bin');
    }
    return built;
  };
  const file = (name: string) => new Blob([new Uint8Array(fs.readFileSync(corpusPath(name)))], { type: 'image/jpeg' });
  const scene: [string, string][] = [
    ['scene_type', 'interior'],
    ['scene_location', 'living_room'],
  ];

  it.each([
    { name: 'no file part', parts: () => scene, status: 400, code: 'invalid_request', reason: /file: is required/ },
    {
      name: 'file as a text field',
      parts: () => [['file', 'living-room.jpg'], ...scene],
      status: 400,
      code: 'invalid_request',
      reason: /file: must be a file part/,
    },
    {
      name: 'an undocumented part',
      parts: () => [['file', file(SMALL)], ...scene, ['title', 'Kitchen']],
      status: 400,
      code: 'invalid_request',
      reason: /title: unknown multipart part/,
    },
    {
      name: 'a repeated part',
      parts: () => [['file', file(SMALL)], ...scene, ['scene_type', 'exterior']],
      status: 400,
      code: 'invalid_request',
      reason: /scene_type: is sent more than once/,
    },
    {
      name: 'a second file',
      parts: () => [['file', file(SMALL)], ['file', file(SMALL)], ...scene],
      status: 400,
      code: 'invalid_request',
      reason: /file: is sent more than once/,
    },
    {
      name: 'scene_type as a file part',
      parts: () => [
        ['file', file(SMALL)],
        ['scene_type', new Blob(['interior'])],
        ['scene_location', 'living_room'],
      ],
      status: 400,
      code: 'invalid_request',
      reason: /scene_type: must be a text field/,
    },
    {
      name: 'scene_location missing',
      parts: () => [
        ['file', file(SMALL)],
        ['scene_type', 'interior'],
      ],
      status: 400,
      code: 'invalid_request',
      reason: /scene_location: is required/,
    },
    {
      name: 'an unknown scene_type',
      parts: () => [
        ['file', file(SMALL)],
        ['scene_type', 'outdoor'],
        ['scene_location', 'garden'],
      ],
      status: 400,
      code: 'invalid_request',
      reason: /scene_type: Invalid option/,
    },
    {
      name: 'a location of the other scene type',
      parts: () => [
        ['file', file(SMALL)],
        ['scene_type', 'interior'],
        ['scene_location', 'garden'],
      ],
      status: 400,
      code: 'invalid_request',
      reason: /scene_location: must be one of/,
    },
    {
      name: 'a plain-http webhook_url',
      parts: () => [['file', file(SMALL)], ...scene, ['webhook_url', 'http://partner.example/hook']],
      status: 400,
      code: 'invalid_request',
      reason: /webhook_url: must be an https URL/,
    },
    {
      name: 'a text file renamed .jpg',
      parts: () => [['file', file('bad/text-file-renamed.jpg')], ...scene],
      status: 415,
      code: 'unsupported_media_type',
      reason: /JPEG, PNG or WebP/,
    },
    {
      name: 'an empty file',
      parts: () => [['file', file('bad/zero-bytes.jpg')], ...scene],
      status: 415,
      code: 'unsupported_media_type',
      reason: /JPEG, PNG or WebP/,
    },
    {
      name: 'a HEIC photo',
      parts: () => [['file', file('formats/colorfulcups.heic')], ...scene],
      status: 415,
      code: 'unsupported_media_type',
      reason: /JPEG, PNG or WebP/,
    },
    {
      name: 'a TIFF photo',
      parts: () => [['file', file('formats/storm_16bit.tif')], ...scene],
      status: 415,
      code: 'unsupported_media_type',
      reason: /JPEG, PNG or WebP/,
    },
    {
      name: 'a decompression bomb',
      parts: () => [['file', file('bad/decompression-bomb_30000x30000_1bit.png')], ...scene],
      status: 400,
      code: 'invalid_request',
      reason: /30000×30000 pixels; the limit is/,
    },
  ] as { name: string; parts: () => [string, string | Blob][]; status: number; code: string; reason: RegExp }[])(
    'a multipart upload refuses $name',
    async ({ parts, status, code, reason }) => {
      const sandbox = await start();
      const project = await newProject(sandbox);
      const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, { body: form(parts()) });
      expectRefused(sandbox, reply, status, code, reason);
      expect(sandbox.pictures()).toEqual([]);
    },
  );

  it('a multipart upload accepts PNG and WebP, and refuses a file over the size limit (413)', async () => {
    const sandbox = await start({ maxImageBytes: 80_000 });
    const project = await newProject(sandbox);
    const route = `/v1/projects/${project.id}/pictures`;
    for (const name of ['formats/storm.webp', 'formats/nkitzmiller_64px_linear-rec2020_16bit.png']) {
      const reply = await call<PictureJson>(sandbox, 'POST', route, { body: form([['file', file(name)], ...scene]) });
      expect(reply.status).toBe(201);
      expect(reply.body.public_url).toMatch(/\.(webp|png)$/);
    }
    const big = await call(sandbox, 'POST', route, { body: form([['file', file(SMALL)], ...scene]) });
    expectRefused(sandbox, big, 413, 'payload_too_large', /86490 bytes; the limit is 80000/);
  });

  it.each([
    {
      name: 'a text/plain body',
      body: 'file=a.jpg',
      type: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
      reason: /application\/json or multipart\/form-data/,
    },
    {
      name: 'a multipart body that does not parse',
      body: 'garbage',
      type: 'multipart/form-data; boundary=XyZ',
      status: 400,
      code: 'invalid_request',
      reason: /multipart body cannot be parsed/,
    },
  ])('an upload refuses $name', async ({ body, type, status, code, reason }) => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      body,
      headers: { 'Content-Type': type },
    });
    expectRefused(sandbox, reply, status, code, reason);
  });

  it('an upload to an unknown project is 404', async () => {
    const sandbox = await start();
    const reply = await call(sandbox, 'POST', '/v1/projects/prj_nope/pictures', { body: photoForm(SMALL) });
    expectRefused(sandbox, reply, 404, 'not_found', /No project prj_nope/);
  });

  const ENHANCE = { instruction: PRESET, variants: 2, aspect_ratio: '16:9', resolution: '2K' };
  it.each([
    { name: 'instruction missing', body: withoutField(ENHANCE, 'instruction'), reason: /instruction: is required/ },
    {
      name: 'an unknown instruction source',
      body: { ...ENHANCE, instruction: { source: 'magic' } },
      reason: /instruction.source: Invalid discriminator/,
    },
    {
      name: 'preset without actions',
      body: { ...ENHANCE, instruction: { source: 'preset' } },
      reason: /instruction.actions: is required/,
    },
    {
      name: 'preset with no actions',
      body: { ...ENHANCE, instruction: { source: 'preset', actions: [] } },
      reason: /instruction.actions: Too small/,
    },
    {
      name: 'actions as a string',
      body: { ...ENHANCE, instruction: { source: 'preset', actions: 'interior-style-japandi' } },
      reason: /instruction.actions: Invalid input: expected array/,
    },
    {
      name: 'more than 8 actions',
      body: {
        ...ENHANCE,
        instruction: { source: 'preset', actions: Array.from({ length: 9 }, (_, index) => `a${index}`) },
      },
      reason: /instruction.actions: Too big/,
    },
    {
      name: 'a repeated action',
      body: {
        ...ENHANCE,
        instruction: { source: 'preset', actions: ['interior-style-japandi', 'interior-style-japandi'] },
      },
      reason: /instruction.actions: must not repeat/,
    },
    {
      name: 'an unknown action',
      body: { ...ENHANCE, instruction: { source: 'preset', actions: ['interior-style-baroque'] } },
      reason: /unknown action "interior-style-baroque"/,
    },
    {
      name: 'two actions of one group',
      body: {
        ...ENHANCE,
        instruction: { source: 'preset', actions: ['interior-style-japandi', 'interior-style-industrial'] },
      },
      reason: /both in group interior-style/,
    },
    {
      name: 'an exterior action on an interior picture',
      body: { ...ENHANCE, instruction: { source: 'preset', actions: ['exterior-sky-blue'] } },
      reason: /does not apply to a interior picture/,
    },
    {
      name: 'an undocumented instruction field',
      body: { ...ENHANCE, instruction: { ...PRESET, strength: 0.5 } },
      reason: /instruction.strength: is not a documented field/,
    },
    {
      name: 'a blank prompt',
      body: { ...ENHANCE, instruction: { source: 'custom', prompt: '  ' } },
      reason: /instruction.prompt: must not be blank/,
    },
    {
      name: 'a prompt over 2000 characters',
      body: { ...ENHANCE, instruction: { source: 'custom', prompt: 'x'.repeat(2001) } },
      reason: /instruction.prompt: Too big/,
    },
    {
      name: 'a prompt with actions',
      body: { ...ENHANCE, instruction: { source: 'custom', prompt: 'Sofa', actions: [] } },
      reason: /instruction.actions: is not a documented field/,
    },
    {
      name: 'an unknown quick action',
      body: { ...ENHANCE, instruction: { source: 'quick_action', quick_action_id: 'qa_nope' } },
      reason: /unknown quick action "qa_nope"/,
    },
    {
      name: 'an exterior quick action on an interior picture',
      body: { ...ENHANCE, instruction: { source: 'quick_action', quick_action_id: 'qa_blue_sky' } },
      reason: /"qa_blue_sky" does not apply/,
    },
    {
      name: 'consistency with an unknown reference',
      body: { ...ENHANCE, instruction: { source: 'consistency', reference_picture_id: 'pic_nope' } },
      reason: /reference_picture_id: must be a picture of the same project/,
    },
    { name: 'variants 0', body: { ...ENHANCE, variants: 0 }, reason: /variants: Too small/ },
    { name: 'variants 5', body: { ...ENHANCE, variants: 5 }, reason: /variants: Too big/ },
    {
      name: 'fractional variants',
      body: { ...ENHANCE, variants: 1.5 },
      reason: /variants: Invalid input: expected int/,
    },
    {
      name: 'variants as a string',
      body: { ...ENHANCE, variants: '2' },
      reason: /variants: Invalid input: expected number/,
    },
    {
      name: 'an unknown aspect_ratio',
      body: { ...ENHANCE, aspect_ratio: '5:4' },
      reason: /aspect_ratio: Invalid option/,
    },
    { name: 'an unknown resolution', body: { ...ENHANCE, resolution: '8K' }, reason: /resolution: Invalid option/ },
    { name: 'an unknown model', body: { ...ENHANCE, model: 'gpt-image-1' }, reason: /model: Invalid option/ },
    {
      name: '4K on the fast model',
      body: { ...ENHANCE, model: 'aix-vision-2-fast', resolution: '4K' },
      reason: /model aix-vision-2-fast does not offer 4K/,
    },
    {
      name: 'a plain-http webhook_url',
      body: { ...ENHANCE, webhook_url: 'http://partner.example/hook' },
      reason: /webhook_url: must be an https URL/,
    },
    {
      name: 'an undocumented field',
      body: { ...ENHANCE, prompt: 'Sofa' },
      reason: /prompt: is not a documented field/,
    },
  ])('POST /v1/pictures/{id}/enhancements refuses $name', async ({ body, reason }) => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    const reply = await enhance(sandbox, picture.id, body);
    expectRefused(sandbox, reply, 400, 'invalid_request', reason);
    expectNoCharge(sandbox);
    expect(sandbox.pictures()).toHaveLength(1);
  });

  it('an enhancement refuses a consistency reference from another project', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    const { picture: elsewhere } = await withPicture(sandbox);
    const reply = await enhance(sandbox, picture.id, {
      instruction: { source: 'consistency', reference_picture_id: elsewhere.id },
    });
    expectRefused(sandbox, reply, 400, 'invalid_request', /must be a picture of the same project/);
  });

  it('an enhancement of an unknown picture is 404', async () => {
    const sandbox = await start();
    const reply = await enhance(sandbox, 'pic_nope', ENHANCE);
    expectRefused(sandbox, reply, 404, 'not_found', /No picture pic_nope/);
  });

  it('an enhancement of a picture still processing is 409 picture_not_ready, as is a reference still processing', async () => {
    const sandbox = await start();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const photo = fs.readFileSync(corpusPath(SMALL));
    const host = await startHost(async (_request, _raw, response) => {
      await gate;
      response.writeHead(200).end(photo);
    });
    const { project, picture: ready } = await withPicture(sandbox);
    const pending = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: { source: { type: 'url', url: `${host.url}/a.jpg` }, scene_type: 'interior', scene_location: 'kitchen' },
    });
    expect(pending.body.status).toBe('processing');
    const reply = await enhance(sandbox, pending.body.id, ENHANCE);
    expectRefused(sandbox, reply, 409, 'picture_not_ready', /is processing, not completed/);
    const reference = await enhance(sandbox, ready.id, {
      instruction: { source: 'consistency', reference_picture_id: pending.body.id },
    });
    expect(reference.status).toBe(400);
    expect(sandbox.violations.at(-1)?.reason).toMatch(/reference_picture_id: must be a completed picture/);
    release();
    await settled(sandbox, project.id, [pending.body.id]);
    expect((await enhance(sandbox, pending.body.id, ENHANCE)).status).toBe(202);
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toHaveLength(1);
  });

  it.each([
    {
      name: 'project_id missing',
      body: (ids: Ids) => ({ picture_ids: [ids.first] }),
      reason: /project_id: is required/,
    },
    {
      name: 'an unknown project',
      body: (ids: Ids) => ({ project_id: 'prj_nope', picture_ids: [ids.first] }),
      reason: /project_id: no project prj_nope/,
    },
    {
      name: 'picture_ids missing',
      body: (ids: Ids) => ({ project_id: ids.project }),
      reason: /picture_ids: is required/,
    },
    {
      name: 'no pictures',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [] }),
      reason: /picture_ids: Too small/,
    },
    {
      name: 'a repeated picture',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first, ids.first] }),
      reason: /picture_ids: must not repeat/,
    },
    {
      name: 'more than 20 pictures',
      body: (ids: Ids) => ({
        project_id: ids.project,
        picture_ids: Array.from({ length: 21 }, (_, index) => `pic_${index}`),
      }),
      reason: /picture_ids: Too big/,
    },
    {
      name: 'an unknown picture',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first, 'pic_nope'] }),
      reason: /pic_nope is not a picture of project/,
    },
    {
      name: 'a picture of another project',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.other] }),
      reason: /is not a picture of project/,
    },
    {
      name: 'a blank scene_context',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first], scene_context: ' ' }),
      reason: /scene_context: must not be blank/,
    },
    {
      name: 'a voice_direction over 500 characters',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first], voice_direction: 'x'.repeat(501) }),
      reason: /voice_direction: Too big/,
    },
    {
      name: 'a numeric background_direction',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first], background_direction: 3 }),
      reason: /background_direction: Invalid input: expected string/,
    },
    {
      name: 'an unknown aspect_ratio',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first], aspect_ratio: '5:4' }),
      reason: /aspect_ratio: Invalid option/,
    },
    {
      name: 'a plain-http webhook_url',
      body: (ids: Ids) => ({
        project_id: ids.project,
        picture_ids: [ids.first],
        webhook_url: 'http://partner.example/h',
      }),
      reason: /webhook_url: must be an https URL/,
    },
    {
      name: 'an undocumented field',
      body: (ids: Ids) => ({ project_id: ids.project, picture_ids: [ids.first], music: 'jazz' }),
      reason: /music: is not a documented field/,
    },
  ])('POST /v1/videos refuses $name', async ({ body, reason }) => {
    const sandbox = await start();
    const { project, picture } = await withPicture(sandbox);
    const { picture: other } = await withPicture(sandbox);
    const reply = await call(sandbox, 'POST', '/v1/videos', {
      json: body({ project: project.id, first: picture.id, other: other.id }),
    });
    expectRefused(sandbox, reply, 400, 'invalid_request', reason);
    expect(sandbox.videos()).toEqual([]);
    expectNoCharge(sandbox);
  });

  it('POST /v1/videos refuses a picture that is not completed', async () => {
    const sandbox = await start({ speed: 1 });
    const { project, picture } = await withPicture(sandbox);
    const [generated] = (await enhance(sandbox, picture.id, { instruction: PRESET })).body;
    const reply = await call(sandbox, 'POST', '/v1/videos', {
      json: { project_id: project.id, picture_ids: [picture.id, generated?.id] },
    });
    expectRefused(sandbox, reply, 400, 'invalid_request', /is not completed/);
  });

  it('POST /v1/videos is 402 when the balance cannot pay for it', async () => {
    const sandbox = await start({ credits: 9 });
    const { project, picture } = await withPicture(sandbox);
    const reply = await call(sandbox, 'POST', '/v1/videos', {
      json: { project_id: project.id, picture_ids: [picture.id] },
    });
    expect(reply.status).toBe(402);
    expect(reply.body.error.code).toBe('insufficient_credits');
    expect(sandbox.violations).toEqual([]);
    expectNoCharge(sandbox);
  });

  it.each([
    { name: 'an empty patch', body: {}, reason: /must set at least one of enabled, auto_apply/ },
    { name: 'a non-boolean', body: { enabled: 'yes' }, reason: /enabled: Invalid input: expected boolean/ },
    { name: 'an undocumented field', body: { mode: 'auto' }, reason: /mode: is not a documented field/ },
  ])('PATCH /v1/agent refuses $name', async ({ body, reason }) => {
    const sandbox = await start();
    const reply = await call(sandbox, 'PATCH', '/v1/agent', { json: body });
    expectRefused(sandbox, reply, 400, 'invalid_request', reason);
    expect(sandbox.agent()).toMatchObject({ enabled: false, auto_apply: false });
  });

  it.each([
    {
      name: 'a body with fields',
      json: { notify: true },
      body: undefined,
      status: 400,
      code: 'invalid_request',
      reason: /notify: is not a documented field/,
    },
    {
      name: 'a text body',
      json: undefined,
      body: 'now',
      status: 415,
      code: 'unsupported_media_type',
      reason: /must be application\/json/,
    },
  ])('POST /v1/projects/{id}/publish refuses $name', async ({ json, body, status, code, reason }) => {
    const sandbox = await start();
    const project = await newProject(sandbox);
    const reply = await call(sandbox, 'POST', `/v1/projects/${project.id}/publish`, {
      json,
      body,
      headers: body ? { 'Content-Type': 'text/plain' } : {},
    });
    expectRefused(sandbox, reply, status, code, reason);
    expect(sandbox.projects()[0]?.status).toBe('draft');
  });
});

interface Ids {
  project: string;
  first: string;
  other: string;
}

/**
 * Where the doc is silent, the sandbox can answer in each plausible form (test/sandbox/aixpose/forms.ts),
 * so an adapter is shown to survive every reading of the doc. Each switch is shown in its default form
 * (today's) and in every other one, over real HTTP.
 */
describe('AIXpose sandbox: answer forms', () => {
  type Json = Record<string, unknown>;
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
  const TWO = { instruction: PRESET, variants: 2 };

  async function get<T = Json>(sandbox: AixposeSandbox, route: string): Promise<T> {
    const reply = await call<T>(sandbox, 'GET', route);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  }

  /** Waits until the sandbox's own record (always in the default form) says the job is over. */
  async function finished(sandbox: AixposeSandbox, kind: 'picture' | 'video', id: string) {
    await waitFor(() => {
      const status = (kind === 'picture' ? sandbox.pictures() : sandbox.videos()).find(
        (item) => item.id === id,
      )?.status;
      return status === 'completed' || status === 'failed' ? true : undefined;
    }, `${kind} ${id}`);
  }

  it('enhancementAnswer: a bare array by default, or wrapped as data, pictures with credits, or an enhancement', async () => {
    const sandbox = await start();
    const { picture } = await withPicture(sandbox);
    const plain = await enhance(sandbox, picture.id, TWO);
    expect(plain.status).toBe(202);
    expect(plain.body.map((item) => item.id)).toEqual([expect.stringMatching(/^pic_/), expect.stringMatching(/^pic_/)]);

    sandbox.setForms({ enhancementAnswer: 'data' });
    const data = await enhanceAs<{ data: PictureJson[] }>(sandbox, picture.id, TWO);
    expect(data.status).toBe(202);
    expect(Object.keys(data.body)).toEqual(['data']);
    expect(data.body.data.map((item) => item.source_picture_id)).toEqual([picture.id, picture.id]);

    sandbox.setForms({ enhancementAnswer: 'pictures' });
    const pictures = await enhanceAs<Json>(sandbox, picture.id, TWO);
    const queued = expect.objectContaining({ status: 'queued', source_picture_id: picture.id }) as unknown;
    expect(pictures.body).toEqual({ pictures: [queued, queued], credits_charged: 2, balance: 94 });

    sandbox.setForms({ enhancementAnswer: 'enhancement' });
    const wrapped = await enhanceAs<Json>(sandbox, picture.id, TWO);
    expect(wrapped.body).toEqual({
      enhancement: {
        id: expect.stringMatching(/^enh_[0-9A-Z]{26}$/) as unknown,
        status: 'queued',
        variants: [queued, queued],
      },
      credits: { charged: 2, remaining: 92 },
    });
    expect(sandbox.balance).toBe(92);
    expect(sandbox.violations).toEqual([]);
  });

  it("enhancementAnswer 'garbage': the work is done and charged, the answer is an HTML page, and a replay repeats it", async () => {
    const sandbox = await start({ forms: { enhancementAnswer: 'garbage' } });
    const { project, picture } = await withPicture(sandbox);
    const first = await enhanceAs<string>(sandbox, picture.id, TWO, 'garbage-1');
    expect(first.status).toBe(202);
    expect(first.headers.get('content-type')).toBe('text/html');
    expect(first.body).toBe('<html><body>502 upstream hiccup</body></html>');
    const made = sandbox.pictures().filter((item) => item.source_picture_id === picture.id);
    expect(made).toHaveLength(2);
    expect(sandbox.balance).toBe(98);

    const replay = await enhanceAs<string>(sandbox, picture.id, TWO, 'garbage-1');
    expect([replay.status, replay.headers.get('content-type'), replay.body]).toEqual([202, 'text/html', first.body]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // The stored answer is what a replay repeats, whatever the form is now.
    sandbox.setForms({ enhancementAnswer: 'array' });
    expect((await enhanceAs<string>(sandbox, picture.id, TWO, 'garbage-1')).body).toBe(first.body);
    expect(sandbox.ledger.filter((entry) => entry.reason === 'enhancement')).toEqual([
      expect.objectContaining({ amount: -2, idempotencyKey: 'garbage-1', resourceIds: made.map((item) => item.id) }),
    ]);
    expect(
      (
        await settled(
          sandbox,
          project.id,
          made.map((item) => item.id),
        )
      ).map((item) => item.status),
    ).toEqual(['completed', 'completed']);
    expect(sandbox.violations).toEqual([]);
  });

  it('listShape: every list is { data } by default, a bare array, or { items, has_more, next_cursor }, keeping its other keys', async () => {
    const sandbox = await start();
    const { project } = await withPicture(sandbox);
    const lists = [
      `/v1/projects/${project.id}/pictures`,
      `/v1/videos?project_id=${project.id}`,
      '/v1/catalog/models',
      '/v1/catalog/aspect-ratios',
      '/v1/quick-actions',
      '/v1/credits/ledger',
    ];
    const keysOf = async (route: string) => Object.keys(await get(sandbox, route));
    const extras = (route: string) => (route.endsWith('aspect-ratios') ? ['resolutions'] : []);

    for (const route of lists) expect(await keysOf(route)).toEqual(['data', ...extras(route)]);
    expect(await keysOf('/v1/catalog/actions')).toEqual(['data', 'groups', 'scene_types']);

    sandbox.setForms({ listShape: 'array' });
    for (const route of lists) expect(Array.isArray(await get<unknown>(sandbox, route)), route).toBe(true);
    expect((await get<PictureJson[]>(sandbox, lists[0] ?? ''))[0]?.status).toBe('completed');
    // The actions catalog cannot drop its groups and scene types: it stays an object.
    expect(await keysOf('/v1/catalog/actions')).toEqual(['data', 'groups', 'scene_types']);

    sandbox.setForms({ listShape: 'items' });
    for (const route of lists) {
      const body = await get(sandbox, route);
      expect(Object.keys(body)).toEqual(['items', 'has_more', 'next_cursor', ...extras(route)]);
      expect([Array.isArray(body.items), body.has_more, body.next_cursor]).toEqual([true, false, null]);
    }
    expect(await keysOf('/v1/catalog/actions')).toEqual(['items', 'has_more', 'next_cursor', 'groups', 'scene_types']);

    // A bare array leaves no room for scene types outside the actions catalog: refused, nothing changed.
    expect(() => sandbox.setForms({ listShape: 'array', sceneLocationsIn: 'models' })).toThrow(
      /no room for scene types/,
    );
    expect(() => sandbox.setForms({ statusWords: 'loud' as never })).toThrow(/statusWords must be one of/);
    expect(sandbox.forms).toMatchObject({ listShape: 'items', sceneLocationsIn: 'actions', statusWords: 'lower' });
    await expect(startAixposeSandbox({ forms: { listShape: 'pages' as never } })).rejects.toThrow(/listShape/);
    expect(sandbox.violations).toEqual([]);
  });

  it.each([
    {
      form: 'lower (default)',
      statusWords: undefined,
      words: ['processing', 'completed', 'queued', 'completed', 'failed', 'queued', 'completed'],
    },
    {
      form: 'upper',
      statusWords: 'upper',
      words: ['PROCESSING', 'COMPLETED', 'QUEUED', 'COMPLETED', 'FAILED', 'QUEUED', 'COMPLETED'],
    },
    {
      form: 'synonyms',
      statusWords: 'synonyms',
      words: ['in_progress', 'succeeded', 'pending', 'succeeded', 'error', 'pending', 'succeeded'],
    },
  ] as const)(
    'statusWords $form: pictures, enhancements, lists and videos use these words; webhooks keep the doc’s',
    async ({ statusWords, words }) => {
      const sandbox = await start({
        credits: 1000,
        forms: { uploadReadiness: 'delayed', ...(statusWords ? { statusWords } : {}) },
      });
      const hook = await webhookReceiver();
      const project = await newProject(sandbox);
      const wordOf = async (id: string) =>
        (await listPictures(sandbox, project.id)).find((item) => item.id === id)?.status;
      const seen: unknown[] = [];

      const uploaded = await upload(sandbox, project.id, SMALL, { webhook_url: hook.url });
      seen.push(uploaded.status);
      await finished(sandbox, 'picture', uploaded.id);
      seen.push(await wordOf(uploaded.id));
      const [generated] = (await enhance(sandbox, uploaded.id, { instruction: PRESET })).body;
      seen.push(generated?.status);
      await finished(sandbox, 'picture', generated?.id ?? '');
      seen.push(await wordOf(generated?.id ?? ''));
      sandbox.setFault({ kind: 'fail_job' });
      const [failed] = (await enhance(sandbox, uploaded.id, { instruction: PRESET })).body;
      await finished(sandbox, 'picture', failed?.id ?? '');
      seen.push(await wordOf(failed?.id ?? ''));
      const video = await call<VideoJson>(sandbox, 'POST', '/v1/videos', {
        json: { project_id: project.id, picture_ids: [uploaded.id, generated?.id] },
      });
      seen.push(video.body.status);
      await finished(sandbox, 'video', video.body.id);
      seen.push((await get<VideoJson>(sandbox, `/v1/videos/${video.body.id}`)).status);

      expect(seen).toEqual(words);
      await sandbox.waitForIdle();
      const events = hook.received.map((item) => JSON.parse(item.raw) as { data: { status: string } });
      expect(events.map((event) => event.data.status)).toEqual(['completed', 'completed', 'failed']);
      expect(sandbox.violations).toEqual([]);
    },
  );

  it("objectFields 'named': picture_id / video_id and url replace id and public_url; projects and webhooks keep the doc's names", async () => {
    const sandbox = await start({ forms: { objectFields: 'named' } });
    const hook = await webhookReceiver();
    const project = await newProject(sandbox);
    expect(project.id).toMatch(/^prj_/);
    const uploaded = await call<Json>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      body: photoForm(SMALL, { webhook_url: hook.url }),
    });
    expect(Object.keys(uploaded.body).slice(0, 4)).toEqual(['picture_id', 'project_id', 'status', 'url']);
    expect(uploaded.body).not.toHaveProperty('id');
    expect(uploaded.body).not.toHaveProperty('public_url');
    const pictureId = String(uploaded.body.picture_id);
    expect(pictureId).toMatch(/^pic_/);
    expect(await download(String(uploaded.body.url))).toEqual(fs.readFileSync(corpusPath(SMALL)));

    const enhanced = await enhanceAs<Json[]>(sandbox, pictureId, { instruction: PRESET });
    expect(enhanced.body[0]).toMatchObject({ picture_id: expect.stringMatching(/^pic_/) as string, url: null });
    const generatedId = String(enhanced.body[0]?.picture_id);
    const listed = await get<{ data: Json[] }>(sandbox, `/v1/projects/${project.id}/pictures`);
    expect(listed.data.map((item) => item.picture_id)).toEqual([pictureId, generatedId]);
    await finished(sandbox, 'picture', generatedId);

    const video = await call<Json>(sandbox, 'POST', '/v1/videos', {
      json: { project_id: project.id, picture_ids: [pictureId, generatedId] },
    });
    expect(video.body).toMatchObject({ video_id: expect.stringMatching(/^vid_/) as string, url: null });
    expect(video.body).not.toHaveProperty('id');
    const videoId = String(video.body.video_id);
    await finished(sandbox, 'video', videoId);
    expect(await get(sandbox, `/v1/videos/${videoId}`)).toMatchObject({
      video_id: videoId,
      url: expect.stringMatching(/\.mp4$/) as string,
    });
    expect((await get<{ data: Json[] }>(sandbox, `/v1/videos?project_id=${project.id}`)).data[0]?.video_id).toBe(
      videoId,
    );

    await sandbox.waitForIdle();
    const events = hook.received.map((item) => JSON.parse(item.raw) as { data: Json });
    expect(events.map((event) => event.data.id)).toEqual([pictureId, generatedId]);
    for (const event of events) {
      expect(event.data).toMatchObject({ public_url: expect.any(String) as string, status: 'completed' });
      expect(event.data).not.toHaveProperty('picture_id');
    }
    expect(sandbox.violations).toEqual([]);
  });

  it.each([
    {
      form: 'custom (default)',
      promptSource: undefined,
      accepted: 'custom',
      refused: ['prompt', 'custom_prompt', 'text'],
    },
    { form: 'prompt', promptSource: 'prompt', accepted: 'prompt', refused: ['custom', 'custom_prompt'] },
    { form: 'custom_prompt', promptSource: 'custom_prompt', accepted: 'custom_prompt', refused: ['custom', 'prompt'] },
  ] as const)(
    'promptSource $form: a prompt goes as "$accepted"; other words are 422 invalid_instruction',
    async ({ promptSource, accepted, refused }) => {
      const sandbox = await start(promptSource ? { forms: { promptSource } } : {});
      const { picture } = await withPicture(sandbox);
      for (const source of refused) {
        const reply = await enhanceAs<{ error: Json }>(sandbox, picture.id, {
          instruction: { source, prompt: 'Warm evening light.' },
        });
        expect(reply.status).toBe(422);
        expect(reply.body.error).toMatchObject({
          code: 'invalid_instruction',
          field: 'instruction.source',
          details: { field: 'instruction.source', accepted: ['preset', accepted, 'quick_action', 'consistency'] },
        });
        expect(reply.body.error.message).toContain(`accepted sources: preset, ${accepted}, quick_action, consistency`);
      }
      expect(sandbox.violations.map((item) => [item.status, item.code])).toEqual(
        refused.map(() => [422, 'invalid_instruction']),
      );
      expectNoCharge(sandbox);
      const instruction = { source: accepted, prompt: 'Warm evening light.' };
      const made = await enhance(sandbox, picture.id, { instruction });
      expect(made.status).toBe(202);
      expect(made.body[0]?.source_instruction).toEqual(instruction);
      expect(sandbox.violations).toHaveLength(refused.length);
    },
  );

  it('catalogActions: flat with a group list by default, groups holding their actions, or actions naming their group', async () => {
    const sandbox = await start();
    const japandi = { id: 'interior-style-japandi', name: 'Interior style: japandi', scene_types: ['interior'] };
    const flat = await get<{ data: Json[] }>(sandbox, '/v1/catalog/actions');
    expect(flat.data[0]).toEqual({ ...japandi, group: 'interior-style' });
    expect(flat).toHaveProperty('groups');

    sandbox.setForms({ catalogActions: 'nested' });
    const nested = await get<{ data: { id: string; name: string; actions: Json[] }[] }>(sandbox, '/v1/catalog/actions');
    expect(Object.keys(nested)).toEqual(['data', 'scene_types']);
    expect(nested.data[0]).toMatchObject({ id: 'interior-style', name: 'Interior style' });
    expect(nested.data[0]?.actions[0]).toEqual(japandi);
    expect(nested.data.flatMap((group) => group.actions.map((action) => action.id))).toEqual(
      flat.data.map((action) => action.id),
    );

    sandbox.setForms({ catalogActions: 'objects' });
    const objects = await get<{ data: Json[] }>(sandbox, '/v1/catalog/actions');
    expect(Object.keys(objects)).toEqual(['data', 'scene_types']);
    expect(objects.data[0]).toEqual({ ...japandi, group: { id: 'interior-style', name: 'Interior style' } });
    expect(objects.data).toHaveLength(flat.data.length);
  });

  it.each([
    { form: 'actions (default)', sceneLocationsIn: undefined, carrier: '/v1/catalog/actions' },
    { form: 'models', sceneLocationsIn: 'models', carrier: '/v1/catalog/models' },
    { form: 'aspect-ratios', sceneLocationsIn: 'aspect-ratios', carrier: '/v1/catalog/aspect-ratios' },
  ] as const)('sceneLocationsIn $form: only $carrier lists the scene types', async ({ sceneLocationsIn, carrier }) => {
    const sandbox = await start(sceneLocationsIn ? { forms: { sceneLocationsIn } } : {});
    for (const route of ['/v1/catalog/actions', '/v1/catalog/models', '/v1/catalog/aspect-ratios']) {
      const body = await get<{ data: unknown[]; scene_types?: { id: string; locations: string[] }[] }>(sandbox, route);
      expect(body.data.length).toBeGreaterThan(0);
      if (route === carrier) {
        expect(body.scene_types?.find((scene) => scene.id === 'interior')?.locations).toContain('living_room');
      } else expect(body, route).not.toHaveProperty('scene_types');
    }
  });

  it('aspectRatios: { id, width, height } by default, bare strings, or { value, name }; extraAspectRatios are listed and accepted', async () => {
    const sandbox = await start({ extraAspectRatios: ['5:4'] });
    const ids = ['1:1', '4:3', '3:2', '16:9', '21:9', '3:4', '2:3', '9:16', '5:4'];
    const objects = await get<{ data: Json[] }>(sandbox, '/v1/catalog/aspect-ratios');
    expect(objects.data.map((ratio) => ratio.id)).toEqual(ids);
    expect(objects.data).toContainEqual({ id: '16:9', width: 16, height: 9 });
    expect(objects.data.at(-1)).toEqual({ id: '5:4', width: 5, height: 4 });
    sandbox.setForms({ aspectRatios: 'strings' });
    expect((await get<{ data: unknown[] }>(sandbox, '/v1/catalog/aspect-ratios')).data).toEqual(ids);
    sandbox.setForms({ aspectRatios: 'values' });
    const values = await get<{ data: Json[] }>(sandbox, '/v1/catalog/aspect-ratios');
    expect(values.data.map((ratio) => ratio.value)).toEqual(ids);
    expect(values.data).toContainEqual({ value: '16:9', name: 'Widescreen' });
    expect(values.data.at(-1)).toEqual({ value: '5:4', name: '5:4' });

    // 5:4 is accepted wherever an aspect ratio is, and made as asked.
    const project = await newProject(sandbox, { picture_aspect_ratio: '5:4', picture_resolution: '1K' });
    const picture = await upload(sandbox, project.id);
    const [byDefault] = (await enhance(sandbox, picture.id, { instruction: PRESET })).body;
    expect(byDefault?.aspect_ratio).toBe('5:4');
    const explicit = await enhance(sandbox, picture.id, { instruction: PRESET, aspect_ratio: '5:4' });
    expect(explicit.status).toBe(202);
    const [done] = await settled(sandbox, project.id, [byDefault?.id ?? '']);
    const meta = await sharp(await download(done?.public_url ?? '')).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 819]);
    const video = await call<VideoJson>(sandbox, 'POST', '/v1/videos', {
      json: { project_id: project.id, picture_ids: [picture.id], aspect_ratio: '5:4' },
    });
    expect(video.body.aspect_ratio).toBe('5:4');
    expect(sandbox.violations).toEqual([]);
    await expect(startAixposeSandbox({ extraAspectRatios: ['5/4'] })).rejects.toThrow(/not <width>:<height>/);
  });

  it('ledgerEntries: signed amounts with a reason by default, or kind / type entries with positive amounts', async () => {
    const sandbox = await start({ credits: 20 });
    const { project, picture } = await withPicture(sandbox);
    const charged = (await enhance(sandbox, picture.id, TWO)).body.map((item) => item.id);
    sandbox.setFault({ kind: 'fail_job' });
    const failed = (await enhance(sandbox, picture.id, { instruction: PRESET })).body.map((item) => item.id);
    await settled(sandbox, project.id, [...charged, ...failed]);
    const video = await call<VideoJson>(sandbox, 'POST', '/v1/videos', {
      json: { project_id: project.id, picture_ids: [picture.id] },
    });
    const ids = sandbox.ledger.map((entry) => entry.id);

    const byReason = await get<{ data: Json[] }>(sandbox, '/v1/credits/ledger');
    expect(byReason.data.map((entry) => [entry.reason, entry.amount, entry.balance_after, entry.resource_ids])).toEqual(
      [
        ['grant', 20, 20, []],
        ['enhancement', -2, 18, charged],
        ['enhancement', -1, 17, failed],
        ['refund', 1, 18, failed],
        ['video', -10, 8, [video.body.id]],
      ],
    );

    sandbox.setForms({ ledgerEntries: 'kind' });
    const at = expect.stringMatching(ISO) as unknown;
    const byKind = await get<{ data: Json[] }>(sandbox, '/v1/credits/ledger');
    expect(byKind.data).toEqual(
      [
        { kind: 'grant', amount: 20, operation: null, resource_id: null },
        { kind: 'charge', amount: 2, operation: 'enhancement', resource_id: charged[0] },
        { kind: 'charge', amount: 1, operation: 'enhancement', resource_id: failed[0] },
        { kind: 'refund', amount: 1, operation: 'enhancement', resource_id: failed[0] },
        { kind: 'charge', amount: 10, operation: 'video', resource_id: video.body.id },
      ].map((entry, index) => ({ id: ids[index], ...entry, created_at: at })),
    );

    sandbox.setForms({ ledgerEntries: 'type' });
    const byType = await get<{ data: Json[] }>(sandbox, '/v1/credits/ledger');
    expect(byType.data).toEqual(
      [
        { type: 'credit', credits: 20, description: 'Starting balance', resource: null },
        {
          type: 'debit',
          credits: 2,
          description: 'Enhancement: 2 pictures',
          resource: { type: 'picture', id: charged[0] },
        },
        {
          type: 'debit',
          credits: 1,
          description: 'Enhancement: 1 picture',
          resource: { type: 'picture', id: failed[0] },
        },
        {
          type: 'credit',
          credits: 1,
          description: 'Refund for a failed picture',
          resource: { type: 'picture', id: failed[0] },
        },
        { type: 'debit', credits: 10, description: 'Video', resource: { type: 'video', id: video.body.id } },
      ].map((entry, index) => ({ id: ids[index], ...entry, timestamp: at })),
    );
    expect(sandbox.violations).toEqual([]);
  });

  it("uploadReadiness: an upload is completed at once by default, or 'delayed' (processing for pictureUploadMs)", async () => {
    const immediate = await start();
    const { picture } = await withPicture(immediate);
    expect(picture).toMatchObject({ status: 'completed', public_url: expect.any(String) as string });

    const sandbox = await start({ forms: { uploadReadiness: 'delayed' }, durations: { pictureUploadMs: 1_000_000 } });
    const project = await newProject(sandbox);
    const started = Date.now();
    const uploaded = await upload(sandbox, project.id);
    const base64 = await call<PictureJson>(sandbox, 'POST', `/v1/projects/${project.id}/pictures`, {
      json: {
        source: {
          type: 'base64',
          media_type: 'image/jpeg',
          data: fs.readFileSync(corpusPath(SMALL)).toString('base64'),
        },
        scene_type: 'interior',
        scene_location: 'kitchen',
      },
    });
    for (const item of [uploaded, base64.body]) expect(item).toMatchObject({ status: 'processing', public_url: null });
    const ready = await settled(sandbox, project.id, [uploaded.id, base64.body.id]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // 1 000 000 ms ÷ speed 1000
    expect(ready.map((item) => item.status)).toEqual(['completed', 'completed']);
    expect((await enhance(sandbox, uploaded.id, { instruction: PRESET })).status).toBe(202);
    expect(sandbox.violations).toEqual([]);
  });

  it.each([
    { form: 'picture_not_ready (default)', notReadyCode: undefined, code: 'picture_not_ready' },
    { form: 'not_ready', notReadyCode: 'not_ready', code: 'not_ready' },
    { form: 'resource_not_ready', notReadyCode: 'resource_not_ready', code: 'resource_not_ready' },
  ] as const)(
    'notReadyCode $form: enhancing a delayed upload or putting it in a video too early is 409 $code',
    async ({ notReadyCode, code }) => {
      const sandbox = await start({
        forms: { uploadReadiness: 'delayed', ...(notReadyCode ? { notReadyCode } : {}) },
        durations: { pictureUploadMs: 1_000_000 },
      });
      const project = await newProject(sandbox);
      const uploaded = await upload(sandbox, project.id);
      const early = await enhance(sandbox, uploaded.id, { instruction: PRESET });
      const video = await call(sandbox, 'POST', '/v1/videos', {
        json: { project_id: project.id, picture_ids: [uploaded.id] },
      });
      expect([early.status, (early.body as unknown as ErrorBody).error.code]).toEqual([409, code]);
      expect([video.status, video.body.error.code, video.body.error.field]).toEqual([409, code, 'picture_ids']);
      expect(sandbox.violations.map((item) => [item.status, item.code])).toEqual([
        [409, code],
        [409, code],
      ]);
      expect(sandbox.violations[0]?.reason).toMatch(/is processing, not completed/);
      expectNoCharge(sandbox);
    },
  );

  it.each([
    { form: 'idempotency_key_in_use (default)', inProgressCode: undefined, code: 'idempotency_key_in_use' },
    { form: 'request_in_progress', inProgressCode: 'request_in_progress', code: 'request_in_progress' },
    { form: 'conflict', inProgressCode: 'conflict', code: 'conflict' },
  ] as const)(
    'inProgressCode $form: a retry racing its first attempt is 409 $code with Retry-After, not a violation',
    async ({ inProgressCode, code }) => {
      const sandbox = await start(inProgressCode ? { forms: { inProgressCode } } : {});
      sandbox.setFault({ kind: 'delay', ms: 700 }, { route: 'POST /v1/projects' });
      const slow = call<ProjectJson>(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'race-1' });
      await waitFor(() => (sandbox.keysInProgress().includes('race-1') ? true : undefined), 'the key reserved');
      const racing = await call(sandbox, 'POST', '/v1/projects', { json: PROJECT, idempotencyKey: 'race-1' });
      expect(racing.status).toBe(409);
      expect(racing.body.error).toEqual({ code, message: 'A request with this Idempotency-Key is still in progress.' });
      expect(racing.headers.get('retry-after')).toBe('1');
      expect((await slow).status).toBe(201);
      expect(sandbox.violations).toEqual([]);
    },
  );

  it('errorShape: nested by default (naming the one field), flat, or RFC 7807 problem+json; faults keep Retry-After', async () => {
    const sandbox = await start();
    const blankName = () => call<Json>(sandbox, 'POST', '/v1/projects', { json: { ...PROJECT, name: ' ' } });
    const message = 'name: must not be blank';

    const nested = await blankName();
    expect([nested.status, nested.headers.get('content-type')]).toEqual([400, 'application/json']);
    expect(nested.body).toEqual({
      error: {
        code: 'invalid_request',
        message,
        details: [{ field: 'name', message: 'must not be blank' }],
        field: 'name',
      },
    });
    const twoProblems = await call<ErrorBody>(sandbox, 'POST', '/v1/projects', { json: { name: ' ' } });
    expect(twoProblems.body.error.details).toHaveLength(4);
    expect(twoProblems.body.error).not.toHaveProperty('field');

    sandbox.setForms({ errorShape: 'flat' });
    const flat = await blankName();
    expect([flat.status, flat.headers.get('content-type')]).toEqual([400, 'application/json']);
    expect(flat.body).toEqual({ code: 'invalid_request', message, field: 'name' });

    sandbox.setForms({ errorShape: 'problem' });
    const problem = await blankName();
    expect([problem.status, problem.headers.get('content-type')]).toEqual([400, 'application/problem+json']);
    expect(problem.body).toEqual({
      type: 'https://api.aixpose.art/errors/invalid_request',
      title: message,
      status: 400,
      detail: message,
      code: 'invalid_request',
      errors: [{ field: 'name', message: 'must not be blank' }],
    });
    const unauthorized = await call<Json>(sandbox, 'GET', '/v1/agent', { key: null });
    expect(unauthorized.body).toMatchObject({ status: 401, code: 'unauthorized', errors: [] });
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');

    sandbox.setFault({ kind: 'status', status: 503, retryAfterSeconds: 3 });
    const down = await call<Json>(sandbox, 'GET', '/v1/agent');
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, '3']);
    expect(down.body).toMatchObject({ type: 'https://api.aixpose.art/errors/service_unavailable', status: 503 });
    sandbox.setForms({ errorShape: 'flat' });
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 4 });
    const limited = await call<Json>(sandbox, 'GET', '/v1/agent');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '4']);
    expect(limited.body).toEqual({ code: 'rate_limited', message: 'Too many requests.' });

    // Strict in every form: each refusal is recorded as before.
    expect(sandbox.violations.map((item) => [item.status, item.code])).toEqual([
      [400, 'invalid_request'],
      [400, 'invalid_request'],
      [400, 'invalid_request'],
      [400, 'invalid_request'],
      [401, 'unauthorized'],
    ]);
  });
});
