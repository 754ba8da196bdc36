import fs from 'node:fs';
import path from 'node:path';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  /** Electron's app.setLoginItemSettings (macOS and Windows). */
  setLoginItemSettings: (settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }) => void;
  /** The program to start: the AppImage itself when run from one (its mount point changes every run). */
  executable: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/** Given to the app when the OS starts it at login: it opens to the tray, without a window. */
export const HIDDEN_ARG = '--hidden';

export const AUTOSTART_FILE = 'shootline.desktop';

/** Where XDG autostart entries live: $XDG_CONFIG_HOME/autostart, or ~/.config/autostart. */
export function autostartDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  return path.join(configHome ?? path.join(homeDir, '.config'), 'autostart');
}

/**
 * A desktop entry's Exec value: the path quoted as the spec asks (", `, $ and \ escaped inside the
 * quotes, % doubled since it starts a field code).
 */
function execLine(executable: string): string {
  const quoted = executable.replace(/["`$\\]/g, (character) => `\\${character}`).replaceAll('%', '%%');
  return `"${quoted}" ${HIDDEN_ARG}`;
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Shootline',
    'Comment=Watches your hot folders and runs the queue',
    `Exec=${execLine(executable)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Start at login, as each OS does it: the login item on macOS and Windows, an XDG autostart entry
 * on Linux (Electron has no login items there). Written each time the preference is applied, so a
 * moved AppImage is followed.
 */
export function applyStartAtLogin(enabled: boolean, deps: LoginItemDeps): void {
  if (deps.platform === 'darwin' || deps.platform === 'win32') {
    deps.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] });
    return;
  }
  const file = path.join(autostartDir(deps.env, deps.homeDir), AUTOSTART_FILE);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, autostartEntry(deps.executable), { mode: 0o644 });
  fs.renameSync(temporary, file);
}

/** The program the OS should start: the AppImage when run from one, else this executable. */
export function launcherPath(execPath: string, env: NodeJS.ProcessEnv): string {
  return env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;
}
