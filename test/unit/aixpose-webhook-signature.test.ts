import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../main/engine/providers/aixpose/webhook-signature';
import { signWebhook } from '../sandbox/aixpose/webhooks';

const SECRET = 'whsec_test_secret';
const TEXT = '{"id":"evt_1","type":"picture.completed","data":{"id":"pic_1"}}';
const BODY = Buffer.from(TEXT);
const NOW = 1_790_000_000_000;
const seconds = Math.floor(NOW / 1000);

describe('AIXpose webhook signatures', () => {
  it('accepts what the sandbox signs, on the raw body, within 5 minutes either way', () => {
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, seconds, TEXT), BODY, NOW)).toEqual({
      ok: true,
      timestamp: seconds,
    });
    for (const skew of [-299, 299]) {
      expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, seconds + skew, TEXT), BODY, NOW).ok, `${skew}`).toBe(
        true,
      );
    }
  });

  it.each([
    [
      'a tampered body',
      signWebhook(SECRET, seconds, TEXT),
      Buffer.from(BODY.toString().replace('pic_1', 'pic_2')),
      401,
    ],
    ['another secret', signWebhook('whsec_other', seconds, TEXT), BODY, 401],
    ['a timestamp 301 s old', signWebhook(SECRET, seconds - 301, TEXT), BODY, 401],
    ['a timestamp 301 s ahead', signWebhook(SECRET, seconds + 301, TEXT), BODY, 401],
    [
      're-serialised JSON',
      signWebhook(SECRET, seconds, TEXT),
      Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1)),
      401,
    ],
  ])('refuses %s with 401', (_label, header, body, status) => {
    expect(verifyWebhookSignature(SECRET, header, body, NOW)).toMatchObject({ ok: false, status });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['two headers', ['t=1,v1=00', 't=2,v1=00']],
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no signature', `t=${seconds}`],
    ['a short signature', `t=${seconds},v1=abcd`],
    ['garbage', '=,=,,=='],
    ['a non-numeric time', `t=soon,v1=${'a'.repeat(64)}`],
    ['a huge header', `t=${seconds},v1=${'a'.repeat(5000)}`],
  ])('answers %s with 400, never a throw', (_label, header) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW)).toMatchObject({ ok: false, status: 400 });
  });

  it('accepts any of several v1 values (a secret being rotated)', () => {
    const good = createHmac('sha256', SECRET).update(`${seconds}.`).update(BODY).digest('hex');
    expect(verifyWebhookSignature(SECRET, `t=${seconds},v1=${'0'.repeat(64)},v1=${good}`, BODY, NOW).ok).toBe(true);
  });
});
