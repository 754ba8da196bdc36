import os from 'node:os';
import path from 'node:path';

/**
 * The same folder Electron uses as `userData` for an app named Shootline, so the desktop app and
 * the headless server open one library on the same machine (never at the same time: the engine
 * locks it).
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Shootline');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Shootline');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Shootline');
}
