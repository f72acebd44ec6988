/**
 * Loads @actions/workflow-parser under plain Node. The package imports its
 * JSON schemas without `with { type: 'json' }`, which bundlers accept and
 * Node refuses (ERR_IMPORT_ATTRIBUTE_MISSING; actions/languageservices#387).
 * A resolve hook adds the attribute to those two files only, before the
 * first import.
 */
import * as nodeModule from 'node:module';

type Parser = typeof import('@actions/workflow-parser');

const SCHEMA_FILE = /\/@actions\/workflow-parser\/dist\/[\w.-]+\.json$/;

let loading: Promise<Parser> | undefined;

/** The parser module, imported once. */
export function loadWorkflowParser(): Promise<Parser> {
  loading ??= (async () => {
    addJsonAttribute();
    return await import('@actions/workflow-parser');
  })();
  return loading;
}

function addJsonAttribute(): void {
  // Node ≥ 22.15 and ≥ 23.5: synchronous in-thread hooks.
  if (typeof nodeModule.registerHooks === 'function') {
    nodeModule.registerHooks({
      resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context);
        return SCHEMA_FILE.test(resolved.url) ? { ...resolved, format: 'json', importAttributes: { type: 'json' } } : resolved;
      },
    });
    return;
  }
  // Node 22.12–22.14: the same hook, registered off-thread.
  const hook = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return ${SCHEMA_FILE.toString()}.test(resolved.url) ? { ...resolved, format: 'json', importAttributes: { type: 'json' } } : resolved;
}`;
  nodeModule.register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
