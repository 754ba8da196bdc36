import { z } from 'zod';

/** What a video result is, read from its file: the compare view's line and its frame step. */
export const VideoInfoSchema = z.object({
  /** RFC 6381, e.g. `avc1.42C01E`. */
  codec: z.string(),
  /** In words: "H.264 Constrained Baseline, level 3.0". */
  codecLabel: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  durationMs: z.number(),
  frameRate: z.number().nullable(),
});
export type VideoInfo = z.infer<typeof VideoInfoSchema>;

export const MEDIA_METHODS = {
  /** A video result's codec, size, length and frame rate; null when its file holds no video track we can read. */
  'variants.videoInfo': {
    args: z.object({ id: z.string().min(1).max(200) }).strict(),
    result: VideoInfoSchema.nullable(),
  },
} as const;
