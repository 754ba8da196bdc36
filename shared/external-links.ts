/**
 * The only places the desktop app opens in the user's browser: the app's home and the providers'
 * sites (where keys, credits and dashboards are). Anything else a page asks to open — another host,
 * plain http, a file: or a custom scheme that would start some other program — is refused, so a
 * link in a provider's answer or an injected page can never launch what it likes.
 */
export const APP_HOME_URL = 'https://shootline.app';

export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'shootline.app',
  'www.shootline.app',
  // AIXpose
  'aixpose.art',
  'www.aixpose.art',
  // AuraX
  'aurax.ai',
  'www.aurax.ai',
  // AI Visual Studio
  'aivisualstudio.co',
  'www.aivisualstudio.co',
  // ProductAI
  'productai.photo',
  'www.productai.photo',
  // iacrea
  'iacrea.com',
  'www.iacrea.com',
];

/** The WHATWG URL parser every runtime of ours has (browser, Node); shared/ is built without their types. */
interface ParsedUrl {
  href: string;
  protocol: string;
  hostname: string;
  port: string;
  username: string;
  password: string;
}
declare const URL: new (input: string) => ParsedUrl;

/**
 * The link to hand to the OS, as the URL parser reads it (so the OS gets exactly what was checked,
 * not a string it may read otherwise: backslashes, tabs, odd escapes), or null when it is not an
 * https link to a listed host on the default port without credentials.
 */
export function allowedExternalLink(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let parsed: ParsedUrl;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.port !== '' || parsed.username !== '' || parsed.password !== '') {
    return null;
  }
  return EXTERNAL_LINK_HOSTS.includes(parsed.hostname) ? parsed.href : null;
}
