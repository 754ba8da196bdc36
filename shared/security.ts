/**
 * The renderer's Content Security Policy, used by both shells: the Electron window (through the
 * meta tag the build writes into index.html) and the headless server (as a header). Scripts and
 * styles only from the app itself, no inline script, no eval, network only back to the app's own
 * origin, images also from the media protocol.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: shootline-media:",
  // Videos (AIXpose listing reels, AI Visual Studio clips) from our own media routes only.
  "media-src 'self' blob: shootline-media:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
