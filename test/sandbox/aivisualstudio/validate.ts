import { DEFAULT_ASPECT_RATIO, DEFAULT_MODEL, OUTPUT_FORMATS, type OutputFormat } from './catalog';
import type { Problem } from './http';
import { MAX_PROMPT_CHARS, WEBHOOK_EVENTS, type GenerationType, type ModelSpec, type WebhookEvent } from './types';

/**
 * Strict reading of request bodies and queries (A5, A6, A10, A12, A16): each check has its own rule
 * name, every problem of a request is kept, and fields the doc does not list are refused. A field
 * set to null is present with the wrong type. A check that fails returns the default so the caller
 * can read every field before deciding; it refuses whenever `problems` is not empty.
 */

export const IMAGE_FIELDS = ['prompt', 'model', 'aspect_ratio', 'output_format', 'webhook_url'] as const;
export const VIDEO_FIELDS = [
  'prompt',
  'model',
  'aspect_ratio',
  'duration',
  'first_frame_image',
  'webhook_url',
] as const;
export const WEBHOOK_CREATE_FIELDS = ['url', 'events'] as const;
export const WEBHOOK_PATCH_FIELDS = ['url', 'events', 'active'] as const;

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** 127.0.0.0/8, ::1 and localhost: the only hosts a plain-http URL may name (A16). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why a URL for webhooks is refused, or null: absolute https, or plain http to a loopback host only. */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  if (url.protocol === 'http:') return 'must be https (plain http is accepted for loopback hosts only)';
  return `must be an https URL (got ${url.protocol})`;
}

export class BodyCheck {
  readonly problems: Problem[] = [];

  constructor(
    private readonly body: Record<string, unknown>,
    allowed: readonly string[],
    where: string,
  ) {
    for (const name of Object.keys(body)) {
      if (!allowed.includes(name)) {
        const reason = `${where} does not take "${name}" (it takes ${allowed.join(', ')})`;
        this.problems.push({ rule: 'unknown-field', reason, field: name });
      }
    }
  }

  has(field: string): boolean {
    return this.body[field] !== undefined;
  }

  private add(rule: string, field: string, reason: string): void {
    this.problems.push({ rule, reason, field });
  }

  prompt(): string {
    const value = this.body.prompt;
    if (value === undefined) this.add('prompt-missing', 'prompt', 'prompt is required');
    else if (typeof value !== 'string')
      this.add('prompt-type', 'prompt', `prompt must be a string (got ${shown(value)})`);
    else if (value.trim() === '') this.add('prompt-empty', 'prompt', 'prompt must not be empty');
    else if (value.length > MAX_PROMPT_CHARS) {
      this.add(
        'prompt-length',
        'prompt',
        `prompt must be at most ${MAX_PROMPT_CHARS} characters (got ${value.length})`,
      );
    } else return value;
    return '';
  }

  /** A catalog model of `type`, default the doc's: `model-unknown`, `model-type`. */
  model(type: GenerationType, models: readonly ModelSpec[]): ModelSpec | null {
    const value = this.body.model ?? (this.has('model') ? null : DEFAULT_MODEL[type]);
    const found = typeof value === 'string' ? models.find((model) => model.id === value) : undefined;
    if (!found) {
      this.add('model-unknown', 'model', `model ${shown(value)} is not a model (see GET /api/v1/models)`);
      return null;
    }
    if (found.type !== type) {
      this.add('model-type', 'model', `model ${found.id} makes ${found.type}s, not ${type}s`);
      return null;
    }
    return found;
  }

  aspectRatio(type: GenerationType, allowed: readonly string[]): string {
    const value = this.body.aspect_ratio;
    if (value === undefined) return DEFAULT_ASPECT_RATIO[type];
    if (typeof value === 'string' && allowed.includes(value)) return value;
    this.add('aspect-ratio', 'aspect_ratio', `aspect_ratio must be one of ${allowed.join(', ')} (got ${shown(value)})`);
    return DEFAULT_ASPECT_RATIO[type];
  }

  outputFormat(): OutputFormat {
    const value = this.body.output_format;
    if (value === undefined) return 'webp';
    const known = OUTPUT_FORMATS.find((format) => format === value);
    if (known) return known;
    this.add('output-format', 'output_format', `output_format must be webp, png or jpg (got ${shown(value)})`);
    return 'webp';
  }

  duration(): number {
    const value = this.body.duration;
    if (value === undefined) return 5;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add('duration-type', 'duration', `duration must be a whole number of seconds (got ${shown(value)})`);
    } else if (value < 1 || value > 10) {
      this.add('duration-range', 'duration', `duration must be 1 to 10 seconds (got ${value})`);
    } else return value;
    return 5;
  }

  /** An optional webhook URL (`webhook_url` on generate): rule `webhook-url` for every fault. */
  webhookUrl(): string | null {
    const value = this.body.webhook_url;
    if (value === undefined) return null;
    const problem = typeof value === 'string' ? webhookUrlProblem(value) : `must be a string (got ${shown(value)})`;
    if (problem === null) return value as string;
    this.add('webhook-url', 'webhook_url', `webhook_url ${problem}`);
    return null;
  }

  /** An optional absolute http(s) URL to fetch (A6): `first-frame-url`. Any host; it is fetched as given. */
  firstFrameUrl(): string | null {
    const value = this.body.first_frame_image;
    if (value === undefined) return null;
    let protocol: string;
    try {
      protocol = typeof value === 'string' ? new URL(value).protocol : '';
    } catch {
      protocol = '';
    }
    if (protocol === 'http:' || protocol === 'https:') return value as string;
    this.add(
      'first-frame-url',
      'first_frame_image',
      `first_frame_image must be an absolute http(s) URL (got ${shown(value)})`,
    );
    return null;
  }

  /** A webhook's url: `url-missing` (when required), `url-type`, `url-scheme`. */
  url(required: boolean): string | null {
    const value = this.body.url;
    if (value === undefined) {
      if (required) this.add('url-missing', 'url', 'url is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.add('url-type', 'url', `url must be a string (got ${shown(value)})`);
      return null;
    }
    const problem = webhookUrlProblem(value);
    if (problem === null) return value;
    this.add('url-scheme', 'url', `url ${problem}`);
    return null;
  }

  /** A webhook's events: `events-type`, `events-empty`, `events-unknown`, `events-duplicate`; default both. */
  events(): WebhookEvent[] | null {
    const value = this.body.events;
    if (value === undefined) return null;
    if (!Array.isArray(value)) {
      this.add('events-type', 'events', `events must be an array (got ${shown(value)})`);
      return null;
    }
    if (value.length === 0) this.add('events-empty', 'events', 'events must name at least one event');
    const events: WebhookEvent[] = [];
    for (const item of value as unknown[]) {
      const known = WEBHOOK_EVENTS.find((event) => event === item);
      if (!known) {
        this.add('events-unknown', 'events', `${shown(item)} is not an event (${WEBHOOK_EVENTS.join(', ')})`);
      } else if (events.includes(known)) {
        this.add('events-duplicate', 'events', `${known} is listed twice`);
      } else events.push(known);
    }
    return events;
  }

  active(): boolean | null {
    const value = this.body.active;
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value;
    this.add('active-type', 'active', `active must be true or false (got ${shown(value)})`);
    return null;
  }
}

/** A query parameter against allowed words: `rule` when present and not one of them. */
export function queryWord<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
  rule: string,
  problems: Problem[],
): T | null {
  const value = query.get(name);
  if (value === null) return null;
  const found = allowed.find((word) => word === value);
  if (found) return found;
  problems.push({ rule, field: name, reason: `${name} must be one of ${allowed.join(', ')} (got ${shown(value)})` });
  return null;
}

/** limit (1–100, default 20) and offset (≥ 0, default 0) of GET generations (A10). */
export function pageQuery(query: URLSearchParams, problems: Problem[]): { limit: number; offset: number } {
  let limit = 20;
  let offset = 0;
  const limitText = query.get('limit');
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText)) {
      problems.push({
        rule: 'limit-type',
        field: 'limit',
        reason: `limit must be a whole number (got ${shown(limitText)})`,
      });
    } else if (Number(limitText) < 1 || Number(limitText) > 100) {
      problems.push({ rule: 'limit-range', field: 'limit', reason: `limit must be 1 to 100 (got ${limitText})` });
    } else limit = Number(limitText);
  }
  const offsetText = query.get('offset');
  if (offsetText !== null) {
    if (!/^\d+$/.test(offsetText) || !Number.isSafeInteger(Number(offsetText))) {
      const reason = `offset must be a whole number of at least 0 (got ${shown(offsetText)})`;
      problems.push({ rule: 'offset', field: 'offset', reason });
    } else offset = Number(offsetText);
  }
  return { limit, offset };
}
