import { z } from 'zod';
import {
  MAX_ACTIONS,
  MAX_PROMPT_LENGTH,
  MAX_VARIANTS,
  MAX_VIDEO_PICTURES,
  MEDIA_TYPES,
  MODEL_IDS,
  PROJECT_OUTPUTS,
  type PromptSource,
  RESOLUTIONS,
  SCENE_LOCATIONS,
  SCENE_TYPES,
} from './catalog';
import { isStrictBase64, urlProblem } from './util';

/**
 * Request bodies as the doc shows them. Objects are strict: a field the doc does not define is
 * refused, because a misspelt field (`aspectRatio`) silently ignored by the real API would be a
 * bug nobody sees. What is required follows ASSUMPTIONS in server.ts.
 */
export function requestSchemas(options: {
  allowHttpLoopback: boolean;
  /** The catalog's ratios plus the sandbox's `extraAspectRatios`. */
  aspectRatios: readonly [string, ...string[]];
  /** The one `instruction.source` word accepted for a custom prompt (`promptSource` form). */
  promptSource: PromptSource;
}) {
  const aspectRatio = z.enum(options.aspectRatios);
  const url = z.string().superRefine((text, context) => {
    const problem = urlProblem(text, options.allowHttpLoopback);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
  const notBlank = (max: number) =>
    z
      .string()
      .max(max)
      .refine((text) => text.trim().length > 0, 'must not be blank');

  const sceneFields = {
    scene_type: z.enum(SCENE_TYPES),
    scene_location: z.string(),
  };
  const locationMatchesType = (
    body: { scene_type: keyof typeof SCENE_LOCATIONS; scene_location: string },
    context: z.RefinementCtx,
  ) => {
    const allowed: readonly string[] = SCENE_LOCATIONS[body.scene_type];
    if (!allowed.includes(body.scene_location)) {
      context.addIssue({
        code: 'custom',
        path: ['scene_location'],
        message: `must be one of ${allowed.join(', ')} for scene_type ${body.scene_type}`,
      });
    }
  };

  const project = z.strictObject({
    name: notBlank(200),
    output: z.enum(PROJECT_OUTPUTS),
    picture_aspect_ratio: aspectRatio,
    picture_resolution: z.enum(RESOLUTIONS),
  });

  const pictureJson = z
    .strictObject({
      source: z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('url'), url }),
        z.strictObject({
          type: z.literal('base64'),
          media_type: z.enum(MEDIA_TYPES),
          data: z.string().refine(isStrictBase64, 'must be padded base64 without whitespace or a data: prefix'),
        }),
      ]),
      ...sceneFields,
      webhook_url: url.optional(),
    })
    .superRefine(locationMatchesType);

  /** The text fields of a multipart upload (the `file` part is checked on its own). */
  const pictureForm = z.strictObject({ ...sceneFields, webhook_url: url.optional() }).superRefine(locationMatchesType);

  const instruction = z.discriminatedUnion('source', [
    z.strictObject({
      source: z.literal('preset'),
      actions: z
        .array(z.string())
        .min(1)
        .max(MAX_ACTIONS)
        .refine((actions) => new Set(actions).size === actions.length, 'must not repeat an action'),
    }),
    z.strictObject({ source: z.literal(options.promptSource), prompt: notBlank(MAX_PROMPT_LENGTH) }),
    z.strictObject({ source: z.literal('quick_action'), quick_action_id: z.string().min(1) }),
    z.strictObject({ source: z.literal('consistency'), reference_picture_id: z.string().min(1) }),
  ]);

  const enhancement = z.strictObject({
    instruction,
    variants: z.number().int().min(1).max(MAX_VARIANTS).optional(),
    aspect_ratio: aspectRatio.optional(),
    resolution: z.enum(RESOLUTIONS).optional(),
    model: z.enum(MODEL_IDS).optional(),
    webhook_url: url.optional(),
  });

  const video = z.strictObject({
    project_id: z.string().min(1),
    picture_ids: z
      .array(z.string().min(1))
      .min(1)
      .max(MAX_VIDEO_PICTURES)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a picture'),
    scene_context: notBlank(1000).optional(),
    voice_direction: notBlank(500).optional(),
    background_direction: notBlank(500).optional(),
    aspect_ratio: aspectRatio.optional(),
    webhook_url: url.optional(),
  });

  const agentPatch = z
    .strictObject({ enabled: z.boolean().optional(), auto_apply: z.boolean().optional() })
    .refine((body) => Object.keys(body).length > 0, 'must set at least one of enabled, auto_apply');

  const publish = z.strictObject({});

  return { project, pictureJson, pictureForm, enhancement, video, agentPatch, publish };
}

export type RequestSchemas = ReturnType<typeof requestSchemas>;
export type EnhancementBody = z.infer<RequestSchemas['enhancement']>;
export type Instruction = EnhancementBody['instruction'];

/** One readable line per problem: `field: what is wrong`; a field that is absent is "required". */
export function describeIssues(error: z.ZodError, input: unknown): { field: string; message: string }[] {
  const valueAt = (path: readonly PropertyKey[]): unknown =>
    path.reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
      input,
    );
  const fieldName = (path: readonly PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : '(body)');
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldName([...issue.path, key]),
        message: 'is not a documented field',
      }));
    }
    const missing = issue.path.length > 0 && valueAt(issue.path) === undefined && issue.code !== 'custom';
    return [{ field: fieldName(issue.path), message: missing ? 'is required' : issue.message }];
  });
}
