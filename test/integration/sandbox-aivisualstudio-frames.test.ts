import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { readSandboxVideo } from '../sandbox/video/read';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AivsSandboxOptions } from '../sandbox/aivisualstudio/server';
import {
  errorOf,
  fetchReply,
  field,
  startFileHost,
  startHarness,
  type FileHost,
  type Harness,
} from '../sandbox/aivisualstudio/testkit';
import { corpusPath } from '../support/corpus';

/**
 * first_frame_image on generate/video: fetched by the sandbox during the POST, before anything is
 * created or charged, from a real HTTP host on loopback serving files of the shared corpus. Each
 * fetch rule refuses with its own violation; an accepted image becomes the video's first frame.
 */

let host: FileHost;
const url: Record<string, string> = {};

beforeAll(async () => {
  host = await startFileHost();
  const put = (name: string, file: string, type: string): void => {
    url[name] = host.put(name, fs.readFileSync(corpusPath(file)), type);
  };
  put('portrait.jpg', 'photos/grace_hopper.jpg', 'image/jpeg');
  put('rotated.jpg', 'photos/panasonic-gf1_orient6.jpg', 'image/jpeg');
  put('tulips.png', 'formats/tmshre_riaphotographs_rgba.png', 'image/png');
  put('storm.webp', 'formats/storm.webp', 'image/webp');
  put('rain.avif', 'formats/after-the-rain.avif', 'image/avif');
  put('cups.heic', 'formats/colorfulcups.heic', 'image/heic');
  put('text.jpg', 'bad/text-file-renamed.jpg', 'image/jpeg');
  put('empty.jpg', 'bad/zero-bytes.jpg', 'image/jpeg');
  put('truncated.jpg', 'bad/truncated_40pct_nokia-lumia820.jpg', 'image/jpeg');
  put('chelsea.jpg', 'bad/png-content-with-jpg-extension_chelsea.jpg', 'image/jpeg');
  url['page.html'] = host.put('page.html', Buffer.from('<!doctype html><title>Sign in</title>'), 'text/html');
  url['huge.jpg'] = host.put('huge.jpg', Buffer.alloc(30_000_001, 0xff), 'image/jpeg');
  url['moved.jpg'] = host.redirect('moved.jpg', url['portrait.jpg'] ?? '');
  url['gone.jpg'] = host.fail('gone.jpg', 404);
  url['forbidden.jpg'] = host.fail('forbidden.jpg', 403);
  url['slow.jpg'] = host.hang('slow.jpg');
});
afterAll(async () => {
  await host.close();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: AivsSandboxOptions = {}): Promise<Harness> {
  const harness = await startHarness(options);
  cleanups.push(() => harness.sandbox.close());
  return harness;
}

const video = (h: Harness, frame: unknown, extra: Record<string, unknown> = {}) =>
  h.generate('video', { prompt: 'The photo comes alive', first_frame_image: frame, ...extra });

/** A loopback URL on a port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/frame.jpg`;
}

describe('aivisualstudio sandbox: first_frame_image accepted', () => {
  it.each([
    ['portrait.jpg', 'jpeg', 512, 600],
    ['tulips.png', 'png', 500, 500],
    ['storm.webp', 'webp', 1920, 1280],
    ['rotated.jpg', 'jpeg', 428, 640],
    ['chelsea.jpg', 'png', 451, 300],
    ['moved.jpg', 'jpeg', 512, 600],
  ])('reads %s as a %s of %i×%i (upright, by its bytes, redirects followed)', async (name, format, width, height) => {
    const h = await setup();
    const reply = await video(h, url[name]);
    expect(reply.status, reply.text).toBe(200);
    const record = h.sandbox.generation(String(field(reply.json, 'id')));
    expect(record?.firstFrame).toMatchObject({ url: url[name], format, width, height });
    expect(record?.firstFrame?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('starts the video on that image: frame 0 holds the photo, frame 1 the generated colour', async () => {
    const h = await setup();
    const reply = await video(h, url['portrait.jpg'], { aspect_ratio: '3:4', duration: 1 });
    const id = String(field(reply.json, 'id'));
    await h.ended(id);
    const got = await h.call('GET', `/api/v1/generations/${id}`);
    const mp4 = (await fetchReply(String(field(got.json, 'output_url')))).bytes;
    const played = readSandboxVideo(mp4);
    expect(played).toMatchObject({ width: 192, height: 256 });
    expect(played.frames).toHaveLength(2);
    const stats = await Promise.all(
      played.frames.map((frame) => sharp(frame, { raw: { width: 192, height: 256, channels: 3 } }).stats()),
    );
    const spread = (index: number): number => stats[index]?.channels[0]?.stdev ?? 0;
    // The portrait has detail; a generated frame is a flat colour with a ramp and a bar.
    expect(spread(0)).toBeGreaterThan(spread(1));
  });
});

describe('aivisualstudio sandbox: first_frame_image refused', () => {
  const cases: [rule: string, name: string][] = [
    ['first-frame-fetch', 'gone.jpg'],
    ['first-frame-fetch', 'forbidden.jpg'],
    ['first-frame-too-large', 'huge.jpg'],
    ['first-frame-format', 'rain.avif'],
    ['first-frame-format', 'cups.heic'],
    ['first-frame-format', 'text.jpg'],
    ['first-frame-format', 'empty.jpg'],
    ['first-frame-format', 'page.html'],
    ['first-frame-decode', 'truncated.jpg'],
  ];

  it.each(cases)('refuses %s for %s: 400, nothing created or charged', async (rule, name) => {
    const h = await setup();
    const reply = await video(h, url[name]);
    expect(reply.status, reply.text).toBe(400);
    expect(errorOf(reply)).toMatchObject({ code: 'invalid_request', details: { rule, field: 'first_frame_image' } });
    expect(h.rules()).toEqual([rule]);
    expect(h.sandbox.generations()).toEqual([]);
    expect(h.sandbox.credits()).toBe(1000);
  });

  it('refuses a host that does not answer: first-frame-fetch', async () => {
    const h = await setup();
    const reply = await video(h, await closedPortUrl());
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual(['first-frame-fetch']);
  });

  it('gives up on a slow host after fetchTimeoutMs: first-frame-fetch', async () => {
    const h = await setup({ fetchTimeoutMs: 200 });
    const reply = await video(h, url['slow.jpg']);
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual(['first-frame-fetch']);
    expect(h.sandbox.violations[0]?.reason).toMatch(/could not be fetched|failed/);
  });

  it.each([['ftp://example.com/a.jpg'], ['not a url'], ['/relative.jpg'], [null], [42]])(
    'refuses first_frame_image %j: first-frame-url, without fetching',
    async (value) => {
      const h = await setup();
      const reply = await video(h, value);
      expect(reply.status).toBe(400);
      expect(h.rules()).toEqual(['first-frame-url']);
    },
  );

  it('does not fetch when the rest of the request is already wrong', async () => {
    const h = await setup({ fetchTimeoutMs: 60_000 });
    // A hanging host would hold the answer for a minute if it were fetched.
    const reply = await video(h, url['slow.jpg'], { duration: 99 });
    expect(reply.status).toBe(400);
    expect(h.rules()).toEqual(['duration-range']);
  });

  it('answers insufficient_credits after a good fetch, and charges nothing', async () => {
    const h = await setup({ credits: 10 });
    const reply = await video(h, url['portrait.jpg']);
    expect(reply.status).toBe(403);
    expect(errorOf(reply)).toMatchObject({ code: 'insufficient_credits', details: { required: 450, available: 10 } });
    expect(h.sandbox.generations()).toEqual([]);
  });
});
