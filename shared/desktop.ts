import { z } from 'zod';

/**
 * What the desktop shell and the page say to each other beyond the engine's contract: where the
 * page is (so the app reopens there, and a notification can send it somewhere), menu commands,
 * and that the network came back. Every message from the page is checked here before use.
 */

/** The app's sections, in the order of the sidebar and of Ctrl/⌘ 1–5. */
export const DESKTOP_SECTIONS = ['hot-folders', 'shoots', 'queue', 'export', 'settings'] as const;
export type DesktopSection = (typeof DESKTOP_SECTIONS)[number];

/** A place in the app: a section, and in Shoots the open shoot (null: the list). */
export const DesktopViewSchema = z
  .object({
    section: z.enum(DESKTOP_SECTIONS),
    shootId: z.string().min(1).max(200).nullable(),
  })
  .strict();
export type DesktopView = z.infer<typeof DesktopViewSchema>;

/** A menu item chosen: a command of the table (shared/commands.ts) and which of its keys. */
export const MenuCommandSchema = z
  .object({ id: z.string().min(1).max(100), binding: z.number().int().min(0).max(20) })
  .strict();
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

export const NOTIFICATION_KINDS = ['finished', 'attention', 'providers', 'exports'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const UPDATE_CHANNELS = ['stable', 'beta'] as const;
export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];

const NotificationSwitchesSchema = z
  .object({ finished: z.boolean(), attention: z.boolean(), providers: z.boolean(), exports: z.boolean() })
  .strict();
const UpdateChoiceSchema = z.object({ channel: z.enum(UPDATE_CHANNELS), check: z.boolean() }).strict();
const CrashReportChoiceSchema = z
  .object({
    upload: z.boolean(),
    // Only https, and only where the user typed it; nothing is sent by default.
    url: z
      .string()
      .max(2048)
      .regex(/^https:\/\/\S+$/, 'Crash reports go only to an https:// address.')
      .nullable(),
  })
  .strict();

/**
 * The desktop preferences the user sets in Settings (the rest — window bounds, last view — the
 * shell keeps by itself). Defaults: keep running in the tray, every notification on, no start at
 * login, stable updates checked daily, crash reports kept on this machine.
 */
export const DesktopSettingsSchema = z.object({
  /** Closing the window hides it and work goes on; Quit (menu, tray) ends the app. */
  closeToTray: z.boolean().default(true),
  notifications: NotificationSwitchesSchema.default({
    finished: true,
    attention: true,
    providers: true,
    exports: true,
  }),
  startAtLogin: z.boolean().default(false),
  updates: UpdateChoiceSchema.default({ channel: 'stable', check: true }),
  crashReports: CrashReportChoiceSchema.default({ upload: false, url: null }),
});
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

/** A change from the Settings page: any of the fields, each whole, and no defaults filled in. */
export const DesktopSettingsPatchSchema = z
  .object({
    closeToTray: z.boolean().optional(),
    notifications: NotificationSwitchesSchema.optional(),
    startAtLogin: z.boolean().optional(),
    updates: UpdateChoiceSchema.optional(),
    crashReports: CrashReportChoiceSchema.optional(),
  })
  .strict();
export type DesktopSettingsPatch = z.infer<typeof DesktopSettingsPatchSchema>;

/** What a check for updates found ('off': a development build, which never updates itself). */
export type UpdateCheck = 'available' | 'none' | 'failed' | 'off';
