import type { Problem } from './forms';
import { MAX_SIDE, ROOM_TYPES, type RoomType } from './types';

/**
 * Strict reading of the three request bodies (I3, I5, I6): each check has its own rule name, every
 * problem found is kept, and fields the doc does not list are refused.
 */

/** 8-4-4-4-12 hex digits, any version, either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const GENERATE_FIELDS = ['user_id', 'image_url', 'mask_url', 'room_type', 'width', 'height', 'webhook'];
export const VARIATION_FIELDS = ['user_id', 'generation_id', 'original_url', 'mask_url', 'room_type', 'webhook'];
export const GET_FIELDS = ['user_id', 'generation_id'];

/** A JSON object body, or the first thing wrong with it (I5). */
export function readJsonBody(
  contentType: string | undefined,
  bytes: Buffer,
): { body: Record<string, unknown> } | { problem: Problem } {
  const type = contentType ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    const reason = `Content-Type must be application/json (got ${type === '' ? 'none' : type})`;
    return { problem: { rule: 'content-type', reason } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { problem: { rule: 'json', reason: 'the request body is not valid JSON' } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: { rule: 'body-type', reason: 'the request body must be a JSON object' } };
  }
  return { body: parsed as Record<string, unknown> };
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** Checks one body's fields, collecting every problem in `problems`. */
export class BodyCheck {
  readonly problems: Problem[] = [];

  constructor(
    private readonly body: Record<string, unknown>,
    allowed: readonly string[],
    where: string,
  ) {
    for (const name of Object.keys(body)) {
      if (!allowed.includes(name)) {
        this.problems.push({
          rule: 'unknown-field',
          reason: `${where} does not take "${name}" (it takes ${allowed.join(', ')})`,
          field: name,
        });
      }
    }
  }

  private add(rule: string, field: string, reason: string): null {
    this.problems.push({ rule, reason, field });
    return null;
  }

  /** A required UUID string: `<prefix>-missing`, `<prefix>-format`. */
  uuid(field: 'user_id' | 'generation_id'): string | null {
    const prefix = field === 'user_id' ? 'user-id' : 'generation-id';
    const value = this.body[field];
    if (value === undefined) return this.add(`${prefix}-missing`, field, `${field} is required`);
    if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
      return this.add(`${prefix}-format`, field, `${field} must be a UUID string (got ${shown(value)})`);
    }
    return value;
  }

  /**
   * An absolute http(s) URL string: `<prefix>-missing` (when required), `<prefix>-type`, `<prefix>-scheme`.
   * Plain http and loopback hosts are fine (I6).
   */
  url(field: 'image_url' | 'mask_url' | 'original_url' | 'webhook', required: boolean): string | null {
    const prefix = field.replace('_', '-');
    const value = this.body[field];
    if (value === undefined) return required ? this.add(`${prefix}-missing`, field, `${field} is required`) : null;
    if (typeof value !== 'string')
      return this.add(`${prefix}-type`, field, `${field} must be a string (got ${shown(value)})`);
    let parsed: URL | null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || value.trim() !== value) {
      return this.add(
        `${prefix}-scheme`,
        field,
        `${field} must be an absolute http or https URL (got ${shown(value)})`,
      );
    }
    return value;
  }

  roomType(): RoomType | null {
    const value = this.body.room_type;
    if (value === undefined) return this.add('room-type-missing', 'room_type', 'room_type is required');
    if (typeof value !== 'string' || !(ROOM_TYPES as readonly string[]).includes(value)) {
      return this.add(
        'room-type',
        'room_type',
        `room_type must be one of ${ROOM_TYPES.join(', ')} (got ${shown(value)})`,
      );
    }
    return value as RoomType;
  }

  /** A required JSON number that is a whole number from 1 to MAX_SIDE. */
  side(field: 'width' | 'height'): number | null {
    const value = this.body[field];
    if (value === undefined) return this.add(`${field}-missing`, field, `${field} is required`);
    if (typeof value !== 'number')
      return this.add(`${field}-type`, field, `${field} must be a JSON number (got ${shown(value)})`);
    if (!Number.isInteger(value))
      return this.add(`${field}-integer`, field, `${field} must be a whole number of pixels (got ${value})`);
    if (value < 1 || value > MAX_SIDE)
      return this.add(`${field}-range`, field, `${field} must be 1 to ${MAX_SIDE} (got ${value})`);
    return value;
  }
}
