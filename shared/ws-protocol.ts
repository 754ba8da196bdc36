import { z } from 'zod';
import type { Envelope } from './errors';

/**
 * Frames on the headless server's one WebSocket. The client sends calls; the server answers each
 * with the same envelope the IPC bridge returns, and pushes every engine event to every client.
 */
export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
/** Close code the server uses when it shuts down, so clients know to reconnect later. */
export const WS_CLOSE_GOING_AWAY = 1001;

export const ClientFrameSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  args: z.unknown(),
});
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export type ServerFrame =
  { type: 'result'; id: number; envelope: Envelope<unknown> } | { type: 'event'; event: string; payload: unknown };
