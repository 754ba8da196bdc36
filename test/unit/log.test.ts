import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../main/engine/log';

describe('redact', () => {
  it('masks registered secrets wherever they appear', () => {
    expect(redact('token is s3cr3t-value, again s3cr3t-value', ['s3cr3t-value'])).toBe(
      'token is [redacted], again [redacted]',
    );
  });

  it('masks credentials in URLs and headers nobody registered', () => {
    const line = redact(
      'GET http://127.0.0.1:4780/ws?token=abcDEF123&x=1 x-api-key: sk_live_99 Authorization: Bearer eyJabc',
      [],
    );
    expect(line).not.toContain('abcDEF123');
    expect(line).not.toContain('sk_live_99');
    expect(line).not.toContain('eyJabc');
    expect(line).toContain('&x=1');
  });
});

describe('createLogger', () => {
  it('writes one JSON line per event, redacted, at or above its level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (line) => lines.push(line), now: () => 0 });
    log.registerSecret('hunter2-key');
    log.debug('hidden');
    log.info('provider.called', { url: 'https://api.example/?api_key=hunter2-key' });
    log.error('failed', { error: new Error('boom with hunter2-key') });
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('hunter2-key');
    const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', event: 'provider.called', time: '1970-01-01T00:00:00.000Z' });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ error: { name: 'Error' } });
  });
});
