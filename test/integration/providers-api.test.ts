import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderModule } from '../../main/engine/providers/contract';
import { testProviderModule } from '../support/test-provider/module';
import { startTestProvider } from '../support/test-provider/server';
import { call, refusal, startTestEngine } from '../support/engine';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = 'sk-test-CANARY-7f3a9c21';

/** A provider that needs a key, tested by reading its balance from the test server. */
async function keyedProvider(): Promise<{ provider: ProviderModule; stop: () => Promise<void> }> {
  const server = await startTestProvider({ dedupe: true, balance: 42 });
  const base = testProviderModule({ id: 'keyed', baseUrl: server.url, idempotentSubmit: true, withBalance: true });
  return {
    provider: {
      ...base,
      accountFields: [{ id: 'key', label: 'API key', secret: true, send: { header: 'x-api-key' } }],
      name: 'Keyed',
    },
    stop: () => server.close(),
  };
}

describe('provider accounts', () => {
  it('lists every provider with what it can do, the local one first, and never a key', async () => {
    const { provider, stop } = await keyedProvider();
    cleanups.push(stop);
    const { engine } = startTestEngine({ providers: [provider] });
    const list = await call(engine, 'providers.list', {});
    expect(list.map((p) => [p.id, p.local, p.needsKey, p.key.configured])).toEqual([
      ['local', true, false, false],
      ['aixpose', false, true, false],
      ['productai', false, true, false],
      ['aurax', false, true, false],
      ['iacrea', false, true, false],
      ['aivisualstudio', false, true, false],
      ['keyed', false, true, false],
    ]);
    // AI Visual Studio: a bearer key with scopes, a webhook secret kept and never sent, three
    // operations from a prompt (one of them from a picture), webhooks managed through its API.
    const aivs = list.find((p) => p.id === 'aivisualstudio');
    expect(aivs?.accountFields.map((field) => [field.id, field.secret, field.scopes ?? null])).toEqual([
      ['key', true, ['read', 'generate:image', 'generate:video', 'webhooks']],
      ['webhook-secret', true, null],
    ]);
    expect(
      aivs?.operations.map((operation) => [operation.name, operation.inputs.source, operation.inputs.firstFrame]),
    ).toEqual([
      ['image', 'none', false],
      ['video', 'none', false],
      ['animate', 'none', true],
    ]);
    expect(aivs?.webhookAdmin).toBe(true);
    expect(list.find((p) => p.id === 'iacrea')?.webhookAdmin).toBe(false);
    // iacrea counts photos; its exterior takes a required mask, its variation works on a result.
    const iacrea = list.find((p) => p.id === 'iacrea');
    expect(iacrea?.unit).toEqual({ one: 'photo', many: 'photos', fractionDigits: 0 });
    expect(iacrea?.accountFields.map((field) => [field.id, field.secret])).toEqual([
      ['key', true],
      ['user-id', false],
    ]);
    expect(
      iacrea?.operations.map((operation) => [operation.name, operation.inputs.source, operation.inputs.mask]),
    ).toEqual([
      ['exterior', 'photo', { purpose: 'exterior', required: true }],
      ['variation', 'variant', { purpose: 'exterior', required: false }],
    ]);
    // AuraX counts quarter credits and takes two account values (the key and its id).
    const aurax = list.find((p) => p.id === 'aurax');
    expect(aurax?.unit).toEqual({ one: 'credit', many: 'credits', fractionDigits: 2 });
    expect(aurax?.operations.find((operation) => operation.name === 'tryon')?.inputs).toMatchObject({
      source: 'image',
      garment: true,
      mask: { purpose: 'tryon', required: false },
    });
    const enhance = list[0]?.operations.find((operation) => operation.name === 'enhance');
    expect(enhance).toMatchObject({
      label: 'Enhance',
      paid: false,
      effect: 'edited',
      inputs: { source: 'image', mask: null, garment: false },
    });
    // The recipe form is built from the schema: the preset enum and its default are there.
    expect(JSON.stringify(enhance?.paramsSchema)).toContain('"real_estate"');
    expect(list[0]?.operations.find((operation) => operation.name === 'spot-heal')?.inputs.mask).toEqual({
      purpose: 'heal',
      required: true,
    });
  });

  it('sets, describes, tests and removes a key; answers carry its last 4 characters at most', async () => {
    const { provider, stop } = await keyedProvider();
    cleanups.push(stop);
    const { engine, dataDir, logLines } = startTestEngine({ providers: [provider] });
    expect(await call(engine, 'providers.test', { provider: 'keyed' })).toEqual({
      ok: false,
      message: 'No key is set for Keyed. Paste the key from your Keyed account.',
    });
    const set = await call(engine, 'providers.setKey', { provider: 'keyed', key: KEY });
    expect(set.key).toEqual({ configured: true, last4: '9c21', source: 'stored' });
    expect(JSON.stringify(set)).not.toContain('CANARY');
    expect(await call(engine, 'providers.test', { provider: 'keyed' })).toEqual({
      ok: true,
      message: 'The key works: 42 credits left.',
    });
    expect(JSON.stringify(await call(engine, 'providers.list', {}))).not.toContain('CANARY');
    expect((await refusal(engine, 'providers.setKey', { provider: 'local', key: KEY })).message).toBe(
      'Local needs no key.',
    );
    const removed = await call(engine, 'providers.removeKey', { provider: 'keyed' });
    expect(removed.key.configured).toBe(false);
    // Nothing of the key in the database or the log.
    await engine.stop();
    for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('shootline.db'))) {
      expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from('CANARY')), file).toBe(false);
    }
    expect(logLines.join('\n')).not.toContain('CANARY');
  });

  it('keeps a base URL and concurrency per provider, and refuses what cannot apply', async () => {
    const { provider, stop } = await keyedProvider();
    cleanups.push(stop);
    const { engine } = startTestEngine({ providers: [provider] });
    const configured = await call(engine, 'providers.configure', {
      provider: 'keyed',
      baseUrl: 'https://eu.example.test/v2',
      concurrency: 2,
    });
    expect([configured.baseUrl, configured.concurrency]).toEqual(['https://eu.example.test/v2', 2]);
    const back = await call(engine, 'providers.configure', { provider: 'keyed', baseUrl: null });
    expect([back.baseUrl, back.concurrency]).toEqual([provider.baseUrl, 2]);
    expect((await refusal(engine, 'providers.configure', { provider: 'keyed', baseUrl: 'ftp://x' })).code).toBe(
      'invalid_input',
    );
    expect(
      (await refusal(engine, 'providers.configure', { provider: 'local', baseUrl: 'https://x.test' })).message,
    ).toMatch(/runs on this machine/);
    expect((await refusal(engine, 'providers.configure', { provider: 'nope' })).code).toBe('not_found');
  });

  it('says so when the provider does not answer a key test', async () => {
    const { provider, stop } = await keyedProvider();
    const { engine } = startTestEngine({ providers: [provider] });
    await call(engine, 'providers.setKey', { provider: 'keyed', key: KEY });
    await stop();
    const result = await call(engine, 'providers.test', { provider: 'keyed' });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Keyed: /);
  });
});
