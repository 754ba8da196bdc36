// s3rver in a process of its own (see s3.ts): `node s3-process.mjs <directory> <bucket>` prints
// `port <n>` once it listens, and stops on SIGTERM.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);

// s3rver reads an object's file again after answering some requests; a DELETE arriving right after
// a GET of the same object makes that read throw inside s3rver, uncaught. A real S3 does not fall
// over: the emulator keeps serving, and says so on stderr.
process.on('uncaughtException', (error) => {
  process.stderr.write(`s3rver: ${error instanceof Error ? error.message : String(error)}\n`);
});
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`port ${address.port}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
