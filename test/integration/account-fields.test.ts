import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, refusal, startTestEngine, until } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'sk-CANARY-main-4411aa';
const KEY_ID = 'kid-CANARY-2277';
const USER = 'f3b7c1d2-5e6a-4b8c-9d0e-1f2a3b4c5d6e';

describe('accounts as their provider declares them', () => {
  it('sends two secret headers and a body field with every request, and never shows the secrets to the UI, the log or the library', async () => {
    const server = await startTestProvider({ dedupe: true, pollsUntilDone: 1 });
    cleanups.push(server.close);
    const provider = testProviderModule({
      id: 'test',
      baseUrl: server.url,
      idempotentSubmit: true,
      steps: ['upload', 'create'],
      accountFields: [
        { id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } },
        { id: 'key-id', label: 'Key id', secret: true, send: { header: 'x-key-id' } },
        { id: 'user-id', label: 'User id', secret: false, send: { body: 'user_id' } },
      ],
    });
    const { engine, dataDir, logLines } = startTestEngine({ providers: [provider] });

    // Each value goes where its declaration says, and a secret is never taken for a plain value or back.
    expect(await refusal(engine, 'providers.setKey', { provider: 'test', field: 'user-id', key: USER })).toMatchObject({
      code: 'invalid_input',
    });
    expect(
      await refusal(engine, 'providers.configure', { provider: 'test', fields: { 'key-id': KEY_ID } }),
    ).toMatchObject({ code: 'invalid_input' });
    const unknownField = await refusal(engine, 'providers.setKey', {
      provider: 'test',
      field: 'region',
      key: 'eu-west',
    });
    expect(unknownField.code).toBe('invalid_input');
    expect(unknownField.message).toContain('key, key-id, user-id');
    await call(engine, 'providers.setKey', { provider: 'test', key: KEY });
    await call(engine, 'providers.setKey', { provider: 'test', field: 'key-id', key: KEY_ID });
    const view = await call(engine, 'providers.configure', { provider: 'test', fields: { 'user-id': USER } });
    expect(view.accountFields.map((field) => [field.id, field.status?.configured ?? null, field.value])).toEqual([
      ['key', true, null],
      ['key-id', true, null],
      ['user-id', null, USER],
    ]);

    const shoot = await call(engine, 'shoots.create', { name: 'Accounts' });
    await call(engine, 'budgets.set', { shootId: shoot.id, provider: 'test', autoApprove: true });
    const run = await call(engine, 'shoots.runOperation', {
      shootId: shoot.id,
      provider: 'test',
      operation: 'imagine',
      params: {},
    });
    await until(
      () => call(engine, 'jobs.get', { id: run.jobIds[0] ?? '' }),
      (job) => job.state === 'done',
    );

    // Every request to the provider carried both secrets; every body it was sent carried the user id.
    const requests = server.log;
    expect(requests.filter((request) => request.path.startsWith('/submit/'))).toHaveLength(2);
    expect(requests.filter((request) => request.path.startsWith('/jobs/')).length).toBeGreaterThanOrEqual(1);
    for (const request of requests) {
      expect(request.headers['x-api-key'], request.path).toBe(KEY);
      expect(request.headers['x-key-id'], request.path).toBe(KEY_ID);
      if (request.method === 'POST') expect(JSON.parse(request.body)).toMatchObject({ user_id: USER });
    }

    // The renderer sees whether each secret is set (and its last 4 characters at most), never the secret.
    const listed = JSON.stringify(await call(engine, 'providers.list', {}));
    expect(listed).not.toContain('CANARY');
    expect(listed).toContain(USER);
    await engine.stop();
    expect(logLines.join('\n')).not.toContain('CANARY');
    for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('shootline.db'))) {
      expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from('CANARY')), file).toBe(false);
    }
  });

  it('removes a secret field on its own, and a key entered at a new address drops the secrets entered for the old one', async () => {
    const first = await startTestProvider({ dedupe: true });
    const second = await startTestProvider({ dedupe: true });
    cleanups.push(first.close, second.close);
    const provider = testProviderModule({
      id: 'test',
      baseUrl: first.url,
      idempotentSubmit: true,
      accountFields: [
        { id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } },
        { id: 'key-id', label: 'Key id', secret: true, send: { header: 'x-key-id' } },
      ],
    });
    const { engine } = startTestEngine({ providers: [provider] });
    await call(engine, 'providers.setKey', { provider: 'test', key: KEY });
    await call(engine, 'providers.setKey', { provider: 'test', field: 'key-id', key: KEY_ID });
    const removed = await call(engine, 'providers.removeKey', { provider: 'test', field: 'key-id' });
    expect(removed.accountFields.map((field) => field.status?.configured)).toEqual([true, false]);
    await call(engine, 'providers.setKey', { provider: 'test', field: 'key-id', key: KEY_ID });

    await call(engine, 'providers.configure', { provider: 'test', baseUrl: second.url });
    const moved = await call(engine, 'providers.setKey', { provider: 'test', key: 'sk-other-address-9911' });
    // The key id belonged to the first address: it is gone, not sent to the second.
    expect(moved.accountFields.map((field) => field.status?.configured)).toEqual([true, false]);
    expect(moved.keyNotSent).toBeNull();
  });
});
