// Preloaded into electronegativity's process (node --require). Its CLI fetches translations and
// Electron release notes from the internet at every run; offline, a late retry of that fetch
// crashes the process after the report is written. Shootline's machines are offline by design,
// so the HTTP client it uses is replaced with one that fails at once, and it falls back to its
// bundled English strings.
const Module = require('node:module');

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('offline: Shootline runs electronegativity without network'));
    return Object.assign(offline, { default: offline, get: offline });
  }
  return originalLoad.call(this, request, parent, isMain);
};
