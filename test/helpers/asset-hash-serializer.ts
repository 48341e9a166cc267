/**
 * Jest snapshot serializer: replaces content hashes (asset hashes, bundle hashes) with a fixed
 * marker so a snapshot changes only when the template does, not when a dependency's bytes do.
 */
const HASH = /[0-9a-f]{64}/g;
const MARKER = '[ASSET_HASH]';
/**
 * A function's published version (`fn.currentVersion`) has a logical id ending in a hash of the
 * function's code and configuration (CDK: `<id>CurrentVersion<8 hex><32 hex>`), so it changes with
 * any handler's bytes: normalized like an asset hash.
 */
const VERSION_ID = /CurrentVersion([0-9A-F]{8})[0-9a-f]{32}/g;
const VERSION_MARKER = 'CurrentVersion$1[VERSION_HASH]';

function hasHash(value: unknown): boolean {
  if (typeof value === 'string')
    return (value !== MARKER && new RegExp(HASH.source).test(value)) || new RegExp(VERSION_ID.source).test(value);
  if (Array.isArray(value)) return value.some(hasHash);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => hasHash(k) || hasHash(v));
  return false;
}

function normalize(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(HASH, MARKER).replace(VERSION_ID, VERSION_MARKER);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [normalize(k) as string, normalize(v)]));
  }
  return value;
}

module.exports = {
  test: (value: unknown) => value !== null && typeof value === 'object' && hasHash(value),
  serialize: (
    value: unknown,
    config: unknown,
    indentation: string,
    depth: number,
    refs: unknown,
    printer: (v: unknown, ...rest: unknown[]) => string,
  ) => printer(normalize(value), config, indentation, depth, refs),
};
