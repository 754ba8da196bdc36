// @ts-check
import path from 'node:path';

/**
 * The engine's layers, bottom up: a file may import its own layer and the layers listed for it.
 * Why each layer sits where it does is in README.md ("Layers inside the engine").
 *
 * A file directly in main/engine/ is `base` (log, events, clock, atomic writes…), except the
 * wiring files — engine.ts, engine-options.ts, api.ts, rpc.ts and every `*-api.ts` — which may import anything and
 * which nothing below them may import.
 */
const base = ['base'];
export const ENGINE_LAYERS = {
  base: [],
  net: base,
  db: base,
  imaging: [...base, 'db'],
  masks: [...base, 'db'],
  secrets: [...base, 'db'],
  staging: [...base, 'db', 'net', 'secrets'],
  providers: [...base, 'net', 'imaging', 'masks', 'secrets', 'staging'],
  queue: [...base, 'net', 'db', 'imaging', 'masks', 'secrets', 'staging', 'providers'],
  ingest: [...base, 'net', 'db', 'imaging', 'masks', 'secrets', 'staging', 'providers', 'queue'],
  export: [...base, 'net', 'db', 'imaging', 'masks', 'secrets', 'staging', 'providers', 'queue'],
  wiring: null, // anything
};

const WIRING_FILES = new Set(['engine', 'engine-options', 'api', 'rpc']);

/**
 * The layer of a file inside main/engine (given relative to it), or undefined for a file outside it.
 * @param {string} relative
 * @returns {string | undefined}
 */
export function layerOf(relative) {
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(/[\\/]/);
  // Imports name files without their extension.
  const name = (parts[parts.length - 1] ?? '').replace(/\.(tsx?|js)$/, '');
  if ((parts.length === 1 && WIRING_FILES.has(name)) || name.endsWith('-api')) return 'wiring';
  if (parts.length === 1) return 'base';
  return parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const engineLayersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports inside main/engine follow the layer table (README: Layers inside the engine).' },
    schema: [],
    messages: {
      upward:
        "main/engine/{{from}} may not import {{to}} ('{{source}}'): a {{fromLayer}} file may import only {{allowed}} (engine layers: see README).",
      unknown:
        "main/engine/{{from}} is in a folder the engine layer table does not list ('{{layer}}'): add it to eslint/engine-layers.js and the README.",
    },
  },
  create(context) {
    const root = path.join(context.cwd, 'main', 'engine');
    const fromRelative = path.relative(root, context.filename);
    const fromLayer = layerOf(fromRelative);
    if (fromLayer === undefined) return {};
    if (!(fromLayer in ENGINE_LAYERS)) {
      return {
        Program(node) {
          context.report({ node, messageId: 'unknown', data: { from: fromRelative, layer: fromLayer } });
        },
      };
    }
    /** @type {string[] | null} */
    const allowed = ENGINE_LAYERS[/** @type {keyof typeof ENGINE_LAYERS} */ (fromLayer)];
    if (allowed === null) return {};

    /** @param {import('estree').Node & { source?: unknown }} node */
    const check = (node) => {
      const source = /** @type {{ value?: unknown } | null | undefined} */ (node.source);
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), source.value);
      const toLayer = layerOf(path.relative(root, target));
      if (toLayer === undefined || toLayer === fromLayer || allowed.includes(toLayer)) return;
      context.report({
        node,
        messageId: 'upward',
        data: {
          from: fromRelative,
          to: toLayer === 'wiring' ? 'a wiring file' : `${toLayer}/`,
          source: source.value,
          fromLayer,
          allowed: allowed.length ? `shared/ and ${allowed.join(', ')}` : 'shared/ and other base files',
        },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'engine-layers': engineLayersRule } };
