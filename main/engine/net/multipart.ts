import { randomBytes } from 'node:crypto';

/**
 * A multipart/form-data body: plain fields, then one file. The boundary is random, so no value can
 * end a part early; line breaks and quotes in a value are refused all the same (a field is one line).
 */
export function multipartBody(
  fields: Readonly<Record<string, string>>,
  file: { field: string; filename: string; mediaType: string; bytes: Uint8Array },
): { body: Buffer; contentType: string } {
  const boundary = `shootline-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (/[\r\n"]/.test(name) || /[\r\n]/.test(value)) throw new Error(`The form field ${name} holds a line break.`);
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.mediaType}\r\n\r\n`,
    ),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
