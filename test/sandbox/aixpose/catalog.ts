/**
 * The AIXpose sandbox's catalog: every enum the emulator validates against, in one place, so a change
 * to an assumed list is a one-line edit. The doc names only a few values ("16:9", "2K", "interior",
 * "living_room", "interior-style-japandi", "interior-decoration-medium", "picture", "preset"); the
 * rest are assumptions listed in server.ts under ASSUMPTIONS, and the catalog endpoints publish them
 * so a client can drive its UI from the sandbox exactly as it would from the real API.
 */

export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Long edge in pixels of an output at each resolution. */
export const RESOLUTION_LONG_EDGE: Record<Resolution, number> = { '1K': 1024, '2K': 2048, '4K': 4096 };

export const ASPECT_RATIOS = ['1:1', '4:3', '3:2', '16:9', '21:9', '3:4', '2:3', '9:16'] as const;
/**
 * `<width>:<height>`: one of ASPECT_RATIOS, or of the sandbox's `extraAspectRatios` option (a
 * provider may offer more than this list), so a plain string checked against the sandbox's list.
 */
export type AspectRatio = string;

/** Display names for the `aspectRatios: 'values'` form of the catalog; an extra ratio is named by itself. */
export const ASPECT_RATIO_NAMES: Readonly<Record<string, string>> = {
  '1:1': 'Square',
  '4:3': 'Standard',
  '3:2': 'Classic',
  '16:9': 'Widescreen',
  '21:9': 'Ultrawide',
  '3:4': 'Portrait',
  '2:3': 'Classic portrait',
  '9:16': 'Vertical',
};

/** A well-formed ratio of two positive integers, the form every catalog entry has. */
export function isAspectRatio(text: string): boolean {
  return /^[1-9]\d{0,3}:[1-9]\d{0,3}$/.test(text);
}

export const PROJECT_OUTPUTS = ['picture', 'video'] as const;

export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const SCENE_LOCATIONS = {
  interior: [
    'living_room',
    'kitchen',
    'bedroom',
    'bathroom',
    'dining_room',
    'office',
    'hallway',
    'kids_room',
    'laundry_room',
    'basement',
    'attic',
  ],
  exterior: ['facade', 'front_yard', 'backyard', 'garden', 'terrace', 'balcony', 'pool', 'driveway', 'street'],
} as const;
export type SceneType = keyof typeof SCENE_LOCATIONS;
export const SCENE_TYPES = Object.keys(SCENE_LOCATIONS) as [SceneType, ...SceneType[]];

/**
 * The doc names "custom prompts" beside "preset actions" (sent as `source: 'preset'`) but never shows
 * a prompt's source word: `custom` reads the doc most literally and is the default; the others are
 * the plausible alternatives a test can switch to (`promptSource` form). The prompt text is `prompt`.
 */
export const PROMPT_SOURCES = ['custom', 'prompt', 'custom_prompt'] as const;
export type PromptSource = (typeof PROMPT_SOURCES)[number];

/** The instruction sources accepted when custom prompts are sent as `promptSource`. */
export function instructionSources(promptSource: PromptSource): string[] {
  return ['preset', promptSource, 'quick_action', 'consistency'];
}

export interface ActionGroup {
  id: string;
  name: string;
  sceneType: SceneType;
  options: readonly string[];
}

/**
 * Action ids are `<group>-<option>`, as in the doc's `interior-style-japandi`. A group is exclusive:
 * one picture cannot be both japandi and industrial, so a request may pick one option per group.
 */
export const ACTION_GROUPS: readonly ActionGroup[] = [
  {
    id: 'interior-style',
    name: 'Interior style',
    sceneType: 'interior',
    options: ['japandi', 'scandinavian', 'modern', 'minimalist', 'industrial', 'coastal', 'farmhouse', 'classic'],
  },
  { id: 'interior-decoration', name: 'Decoration', sceneType: 'interior', options: ['light', 'medium', 'full'] },
  { id: 'interior-declutter', name: 'Declutter', sceneType: 'interior', options: ['partial', 'full'] },
  { id: 'interior-renovation', name: 'Renovation', sceneType: 'interior', options: ['floors', 'walls', 'kitchen'] },
  { id: 'exterior-sky', name: 'Sky', sceneType: 'exterior', options: ['blue', 'sunset', 'twilight'] },
  { id: 'exterior-lawn', name: 'Lawn', sceneType: 'exterior', options: ['green'] },
  { id: 'exterior-declutter', name: 'Declutter', sceneType: 'exterior', options: ['full'] },
  { id: 'exterior-renovation', name: 'Renovation', sceneType: 'exterior', options: ['facade'] },
];

export interface CatalogAction {
  id: string;
  group: string;
  name: string;
  scene_types: SceneType[];
}

export const ACTIONS: readonly CatalogAction[] = ACTION_GROUPS.flatMap((group) =>
  group.options.map((option) => ({
    id: `${group.id}-${option}`,
    group: group.id,
    name: `${group.name}: ${option.replace(/_/g, ' ')}`,
    scene_types: [group.sceneType],
  })),
);

export const MAX_ACTIONS = 8;
export const MAX_VARIANTS = 4;
export const MAX_PROMPT_LENGTH = 2000;
export const MAX_VIDEO_PICTURES = 20;

export interface CatalogModel {
  id: string;
  name: string;
  default: boolean;
  output_formats: string[];
  resolutions: Resolution[];
  max_variants: number;
}

export const MODELS: readonly CatalogModel[] = [
  {
    id: 'aix-vision-2',
    name: 'AIXpose Vision 2',
    default: true,
    output_formats: ['jpeg'],
    resolutions: ['1K', '2K', '4K'],
    max_variants: MAX_VARIANTS,
  },
  {
    id: 'aix-vision-2-fast',
    name: 'AIXpose Vision 2 Fast',
    default: false,
    output_formats: ['jpeg'],
    resolutions: ['1K', '2K'],
    max_variants: MAX_VARIANTS,
  },
];
export const MODEL_IDS = MODELS.map((model) => model.id) as [string, ...string[]];

export interface QuickAction {
  id: string;
  name: string;
  description: string;
  scene_types: SceneType[];
  instruction: { source: 'preset'; actions: string[] };
}

export const QUICK_ACTIONS: readonly QuickAction[] = [
  {
    id: 'qa_declutter',
    name: 'Declutter',
    description: 'Removes loose items and clutter.',
    scene_types: ['interior'],
    instruction: { source: 'preset', actions: ['interior-declutter-full'] },
  },
  {
    id: 'qa_virtual_staging',
    name: 'Virtual staging',
    description: 'Furnishes an empty room in a modern style.',
    scene_types: ['interior'],
    instruction: { source: 'preset', actions: ['interior-style-modern', 'interior-decoration-medium'] },
  },
  {
    id: 'qa_blue_sky',
    name: 'Blue sky',
    description: 'Replaces an overcast sky.',
    scene_types: ['exterior'],
    instruction: { source: 'preset', actions: ['exterior-sky-blue'] },
  },
  {
    id: 'qa_green_lawn',
    name: 'Green lawn',
    description: 'Makes the lawn look cared for.',
    scene_types: ['exterior'],
    instruction: { source: 'preset', actions: ['exterior-lawn-green'] },
  },
];

export function aspectRatioValue(id: AspectRatio): number {
  const [width = '1', height = '1'] = id.split(':');
  return Number(width) / Number(height);
}
