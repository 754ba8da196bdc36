// What `shootline --help` and `--version` print, in plain JavaScript so that they work on a clone
// that has not been built yet (bin/shootline.mjs answers them itself); the built CLI uses the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_PORT = 4780;
/** A fixed token guards the whole library: short ones can be guessed over a network. */
export const MIN_TOKEN_LENGTH = 32;

/**
 * The same folder Electron uses as `userData` for an app named Shootline, so the desktop app and
 * the headless server open one library on the same machine (never at the same time: the engine
 * locks it).
 */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()) {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Shootline');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Shootline');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Shootline');
}

/** The version in the package.json at the app's root (the caller knows where it is once bundled). */
export function readVersion(appRoot) {
  return JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')).version;
}

export function usage() {
  return `Usage: shootline serve [options]

Runs the Shootline engine without a window and serves its UI to a browser on this machine.

Options:
  --port <n>        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>  address to bind (default 127.0.0.1; 0.0.0.0 or another address exposes the engine
                    to the network: anyone with the token can then drive it)
  --allow-origin <origin>
                    also accept browser pages from this origin (e.g. http://studio.local:4780 when the
                    server is reached by a hostname); may be given more than once
  --data-dir <dir>  where the library lives (default ${defaultDataDir()})
  --webhook-url <https url>
                    the public address (a tunnel or reverse proxy to this server) providers deliver
                    webhooks to, as POST <address>/webhooks/<provider>; without it, jobs are polled
  --new-token       replace the token: pages opened with the old one are refused from now on
  --help            show this help
  --version         print the version

The token is made at the first start and kept in the data folder (file serve-token, readable by you
only), so a page left open keeps working when the server restarts. SHOOTLINE_TOKEN, if set (at least
${MIN_TOKEN_LENGTH} characters, e.g. from \`openssl rand -base64 32\`), is used instead.`;
}
