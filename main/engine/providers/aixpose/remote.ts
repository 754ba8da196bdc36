import { z } from 'zod';
import type { RemoteJob } from '../contract';

/**
 * What the queue keeps about work AIXpose accepted (RemoteJob.data), one shape per kind: an
 * enhancement is the pictures it made in the shoot's project (its id: the first of them); a video
 * is AIXpose's video id; a publish is the project itself.
 */
const RemoteDataSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pictures'),
    projectId: z.string().min(1),
    pictureIds: z.array(z.string().min(1)).min(1),
  }),
  z.object({ kind: z.literal('video') }),
  z.object({ kind: z.literal('publish') }),
]);
export type AixposeRemote = z.infer<typeof RemoteDataSchema>;

export const picturesRemote = (projectId: string, pictureIds: readonly string[]): RemoteJob => ({
  id: pictureIds[0] ?? projectId,
  data: { kind: 'pictures', projectId, pictureIds: [...pictureIds] },
});
export const videoRemote = (videoId: string): RemoteJob => ({ id: videoId, data: { kind: 'video' } });
export const publishRemote = (projectId: string): RemoteJob => ({ id: projectId, data: { kind: 'publish' } });

/** The kind of work a remote job is; a record this module cannot read is a bug (or a damaged library). */
export function readRemote(remote: RemoteJob): AixposeRemote {
  const parsed = RemoteDataSchema.safeParse(remote.data);
  if (!parsed.success) {
    throw new Error(`The library's record of AIXpose job ${remote.id} cannot be read: ${parsed.error.message}`);
  }
  return parsed.data;
}
