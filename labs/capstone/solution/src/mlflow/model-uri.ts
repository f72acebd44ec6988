/** `models:/NAME@ALIAS` and `models:/NAME/VERSION`, the registry URIs MLflow's own clients accept. */

export type ModelUri = { name: string; alias: string; version?: undefined } | { name: string; version: string; alias?: undefined };

export class ModelUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelUriError';
  }
}

/** Parses a registry model URI; throws ModelUriError naming the expected forms. */
export function parseModelUri(uri: string): ModelUri {
  const match = /^models:\/([^/@]+)(?:@([A-Za-z0-9_-]+)|\/(\d+))\/?$/.exec(uri.trim());
  if (!match)
    throw new ModelUriError(
      `"${uri}" is not a registry model URI; use models:/NAME@ALIAS (e.g. models:/adult-income@champion) or models:/NAME/VERSION (e.g. models:/adult-income/3)`,
    );
  const name = decodeURIComponent(match[1] as string);
  return match[2] !== undefined ? { name, alias: match[2] } : { name, version: match[3] as string };
}

export function formatModelUri(uri: ModelUri): string {
  return uri.alias !== undefined ? `models:/${uri.name}@${uri.alias}` : `models:/${uri.name}/${uri.version}`;
}
