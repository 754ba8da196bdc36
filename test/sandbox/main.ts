import { parseArgs } from 'node:util';
import { startAivsSandbox } from './aivisualstudio/server';
import { startAixposeSandbox } from './aixpose/server';
import { DEFAULT_API_KEY as AURAX_API_KEY, DEFAULT_KEY_ID as AURAX_KEY_ID, startAuraxSandbox } from './aurax/server';
import {
  DEFAULT_API_KEY as IACREA_API_KEY,
  DEFAULT_USER_ID as IACREA_USER_ID,
  startIacreaSandbox,
} from './iacrea/server';
import { startProductaiSandbox } from './productai/server';

/**
 * `npm run sandbox`: the provider emulators on loopback, so anyone can try the app's cloud
 * providers without keys. Prints the environment to start Shootline with, e.g.
 *
 *   npm run sandbox            # in one terminal
 *   SHOOTLINE_AIXPOSE_BASE_URL=… SHOOTLINE_PRODUCTAI_BASE_URL=… npm run serve   # in another
 *
 * then set the printed keys in Settings (or pass them as SHOOTLINE_<PROVIDER>_API_KEY).
 */
const { values } = parseArgs({
  options: {
    'aixpose-port': { type: 'string', default: '4711' },
    'productai-port': { type: 'string', default: '4712' },
    'aurax-port': { type: 'string', default: '4713' },
    'iacrea-port': { type: 'string', default: '4714' },
    'aivisualstudio-port': { type: 'string', default: '4715' },
    speed: { type: 'string', default: '10' },
  },
});
const speed = Number(values.speed) || 10;
const aixpose = await startAixposeSandbox({ port: Number(values['aixpose-port']), speed, credits: 1000 });
const productai = await startProductaiSandbox({ port: Number(values['productai-port']), speed, balance: 1000 });
const aurax = await startAuraxSandbox({ port: Number(values['aurax-port']), speed, credits: 1000 });
const iacrea = await startIacreaSandbox({ port: Number(values['iacrea-port']), speed, photos: 1000 });
const aivs = await startAivsSandbox({ port: Number(values['aivisualstudio-port']), speed, credits: 1000 });

process.stdout.write(
  [
    `AIXpose sandbox:   ${aixpose.baseUrl}`,
    `ProductAI sandbox: ${productai.baseUrl}`,
    `AuraX sandbox:     ${aurax.baseUrl} (x-api-key ${AURAX_API_KEY}, x-key-id ${AURAX_KEY_ID})`,
    `iacrea sandbox:    ${iacrea.baseUrl} (x-api-key ${IACREA_API_KEY}, user_id ${IACREA_USER_ID})`,
    `AIVS sandbox:      ${aivs.baseUrl} (AI Visual Studio; Authorization: Bearer ${aivs.apiKey})`,
    `(jobs run ${speed}× faster than the real services; Ctrl+C stops them all)`,
    '',
    'Start Shootline against them with:',
    `  SHOOTLINE_AIXPOSE_BASE_URL=${aixpose.baseUrl} SHOOTLINE_AIXPOSE_API_KEY=${aixpose.apiKey} \\`,
    `  SHOOTLINE_PRODUCTAI_BASE_URL=${productai.baseUrl} SHOOTLINE_PRODUCTAI_API_KEY=${productai.apiKeys[0] ?? ''} \\`,
    `  SHOOTLINE_AURAX_BASE_URL=${aurax.baseUrl} SHOOTLINE_AURAX_API_KEY=${AURAX_API_KEY} \\`,
    `  SHOOTLINE_AIVISUALSTUDIO_BASE_URL=${aivs.baseUrl} SHOOTLINE_AIVISUALSTUDIO_API_KEY=${aivs.apiKey} \\`,
    '  npm run serve',
    `and enter AuraX's key id (${AURAX_KEY_ID}) under Settings › Providers.`,
    '',
  ].join('\n'),
);

const stop = (): void => {
  void Promise.all([aixpose.close(), productai.close(), aurax.close(), iacrea.close(), aivs.close()]).then(() =>
    process.exit(0),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
