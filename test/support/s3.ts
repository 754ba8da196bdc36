import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error -- s3rver ships no type declarations; the part used here is typed below.
import S3rver from 's3rver';

/** The slice of s3rver 3.7's API the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;

/** s3rver knows one account; it checks the access key ID but not SigV4 signatures. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';

/** A real S3-compatible store on loopback (s3rver) with one bucket, in a temp folder. */
export async function startS3(bucket = 'shootline-staging'): Promise<{
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects, to check what is (or is no longer) stored. */
  directory: string;
  close: () => Promise<void>;
}> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'shootline-s3rver-'));
  const server = new (S3rver as S3rverConstructor)({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    directory,
    close: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
