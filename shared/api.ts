import { z } from 'zod';
import { EngineInfoSchema, SettingsPatchSchema, SettingsSchema, ShootNameSchema, ShootSchema } from './domain';
import type { Envelope } from './errors';

/**
 * The one contract between the UI and the engine. Each method has a zod schema for its arguments
 * (validated in main, always) and one for its result (the source of the result's type). Each event
 * has a schema for its payload. The preload bridge, the IPC handlers, the WebSocket server and
 * client and the renderer's typed client are all derived from this table: adding a method is one
 * entry here plus its implementation in `main/engine/api.ts`.
 */
export const apiMethods = {
  'engine.info': {
    args: z.object({}).strict(),
    result: EngineInfoSchema,
  },
  'shoots.list': {
    args: z.object({}).strict(),
    result: z.array(ShootSchema),
  },
  'shoots.create': {
    args: z.object({ name: ShootNameSchema }).strict(),
    result: ShootSchema,
  },
  'settings.get': {
    args: z.object({}).strict(),
    result: SettingsSchema,
  },
  'settings.set': {
    args: z.object({ patch: SettingsPatchSchema }).strict(),
    result: SettingsSchema,
  },
} as const;

export const apiEvents = {
  'shoots.created': ShootSchema,
  'settings.changed': SettingsSchema,
} as const;

export type MethodName = keyof typeof apiMethods;
export type EventName = keyof typeof apiEvents;
/** What a caller passes (before defaults and trimming are applied). */
export type MethodArgs<M extends MethodName> = z.input<(typeof apiMethods)[M]['args']>;
/** What the implementation receives (after validation). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof apiMethods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof apiMethods)[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof apiEvents)[E]>;

export const methodNames = Object.keys(apiMethods) as MethodName[];
export const eventNames = Object.keys(apiEvents) as EventName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(apiMethods, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(apiEvents, value);
}

/**
 * What the UI sees of the engine, whatever the shell: `window.shootline` in Electron, a WebSocket
 * client in a browser. Calls never throw for expected failures; they resolve to an envelope.
 */
export interface ShootlineBridge {
  invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Envelope<MethodResult<M>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The engine side: one implementation per method. */
export type ApiHandlers = {
  [M in MethodName]: (args: ParsedArgs<M>) => Promise<MethodResult<M>> | MethodResult<M>;
};

/** How the engine announces events to whichever shell is listening. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** IPC channel names, derived from the table; no other file spells a channel. */
export const ipcChannel = {
  method: (method: MethodName): string => `shootline:call:${method}`,
  event: (event: EventName): string => `shootline:event:${event}`,
};
