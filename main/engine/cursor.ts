import { AppError } from '../../shared/errors';

/**
 * Page cursors for keyset pagination: the sort key and rowid of a page's last row, opaque to the
 * client (base64url JSON), and checked on the way back in.
 */
export function encodeCursor(key: string | number, seq: number): string {
  return Buffer.from(JSON.stringify([key, seq])).toString('base64url');
}

export function decodeCursor<K extends 'string' | 'number'>(
  cursor: string,
  keyType: K,
): { key: K extends 'string' ? string : number; seq: number } {
  try {
    const [key, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof key === keyType && typeof seq === 'number') {
      return { key: key as K extends 'string' ? string : number, seq };
    }
  } catch {
    // fall through to the refusal
  }
  throw new AppError('invalid_input', 'That page cursor is not one this server gave out.');
}
