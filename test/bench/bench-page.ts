import type { Page } from '@playwright/test';
import type { MethodArgs, MethodName, MethodResult } from '../../shared/api';
import type { WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';

/**
 * What the page benches (ui-bench, mask-bench, latency-bench) share: recording frame intervals in
 * the page, opening a shoot's grid, and calling the engine over its WebSocket bridge.
 */

/** In-page: start recording the intervals between requestAnimationFrame callbacks into window.__benchFrames. */
export const START_RECORDING = `(() => {
  const state = { intervals: [], last: -1, running: true };
  window.__benchFrames = state;
  const tick = (now) => {
    if (!state.running) return;
    if (state.last >= 0) state.intervals.push(now - state.last);
    state.last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** In-page: stop recording after one more frame and return the intervals. */
export const STOP_RECORDING = `new Promise((resolve) => requestAnimationFrame(() => {
  const state = window.__benchFrames;
  state.running = false;
  resolve(state.intervals);
}))`;

export async function call<M extends MethodName>(
  api: WebSocketBridge,
  method: M,
  args: MethodArgs<M>,
): Promise<MethodResult<M>> {
  const envelope = await api.invoke(method, args);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it answers a value (a page has loaded, a photo was ingested): a wait for a
 * condition with a deadline, never a fixed pause before a check.
 */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The app at `url`, on the grid of the shoot called `name`, its first cell shown. */
export async function openShoot(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: /Shoots/ })
    .click();
  await page.getByRole('list', { name: 'Shoots' }).getByRole('button', { name, exact: true }).click();
  await page.getByRole('grid', { name: 'Photos' }).getByRole('gridcell').first().waitFor();
}
