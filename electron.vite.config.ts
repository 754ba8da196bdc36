import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './shared/security';

/** Writes the one CSP (shared/security.ts) into index.html, so the window and the server agree. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'shootline-csp',
    transformIndexHtml: (html) => html.replace('%SHOOTLINE_CSP%', CONTENT_SECURITY_POLICY),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        // Two entries over one engine: the Electron shell and the headless CLI (plain Node).
        input: { index: resolve('main/app/main.ts'), headless: resolve('main/headless/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': bundle everything else (zod, the contract).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react(), contentSecurityPolicy()],
    build: {
      outDir: 'out/renderer',
      rolldownOptions: { input: resolve('renderer/index.html') },
    },
  },
});
