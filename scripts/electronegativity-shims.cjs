// Preloaded into electronegativity's process (node --require) to work around two of its faults.
//
// 1. Offline: its CLI fetches translations and Electron release notes at every run; offline, a late
//    retry of that fetch crashes the process after the report is written. Shootline's machines are
//    offline by design, so its HTTP client ('got') fails at once and it uses its bundled strings.
// 2. A race in its CSV writer: it writes the header with fs.writeFile (truncating) and the rows with
//    a second fs.writeFile (append) without waiting for the first, so under load the header can
//    overwrite the start of the rows. Run those writes synchronously, in the order they are issued.
const fs = require('node:fs');
const Module = require('node:module');

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('offline: Shootline runs electronegativity without network'));
    return Object.assign(offline, { default: offline, get: offline });
  }
  return originalLoad.call(this, request, parent, isMain);
};

fs.writeFile = function writeFileInOrder(file, data, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  const settings = typeof options === 'function' ? undefined : options;
  let error = null;
  try {
    fs.writeFileSync(file, data, settings);
  } catch (caught) {
    error = caught;
  }
  if (done) process.nextTick(() => done(error));
};
