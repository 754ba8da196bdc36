import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where a library keeps the token its server is opened with (readable by its owner only). */
const TOKEN_FILE = 'serve-token';

/**
 * The token a server on this data folder is opened with. It is kept in the folder, so a page left
 * open across a restart of the same server keeps working (the page holds the token, not the
 * address bar); `fresh` replaces it, and every page open so far is refused from then on.
 * SHOOTLINE_TOKEN, when set, is used instead and nothing is written.
 */
export function serveToken(dataDir: string, options: { fixed: string | undefined; fresh: boolean }): string {
  if (options.fixed) return options.fixed;
  const file = path.join(dataDir, TOKEN_FILE);
  if (!options.fresh) {
    try {
      const kept = fs.readFileSync(file, 'utf8').trim();
      if (/^[\w-]{32,}$/.test(kept)) return kept;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const token = randomBytes(24).toString('base64url');
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
  return token;
}
