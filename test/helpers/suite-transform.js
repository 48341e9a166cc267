const path = require('node:path');
const esbuildTransform = require('./esbuild-transform');

/**
 * Used only when a suite is run by its path (see jest.config.js): compiles a `*.suite.ts` file with
 * the project's esbuild transform (esbuild-transform.js), then wraps it in the same `describe('<path under test/>', ...)` block that
 * test/helpers/suites.ts's runSuites puts around it in an aggregate. The suite's tests keep their
 * names, so their snapshots are the aggregate's (jest.config.js points the snapshot resolver there).
 */
const TEST_ROOT = path.join(__dirname, '..');

function suiteName(filename) {
  return path
    .relative(TEST_ROOT, filename)
    .split(path.sep)
    .join('/')
    .replace(/\.suite\.ts$/, '');
}

module.exports = {
  createTransformer(options) {
    const inner = esbuildTransform.createTransformer(options);
    const wrap = (result, filename) => {
      const code = typeof result === 'string' ? result : result.code;
      // On the first line, so the source map's line numbers stay right.
      const wrapped = `describe(${JSON.stringify(suiteName(filename))}, () => {${code}\n});`;
      return typeof result === 'string' ? wrapped : { ...result, code: wrapped };
    };
    return {
      canInstrument: false,
      getCacheKey: (src, filename, opts) => `suite-wrapped:${inner.getCacheKey(src, filename, opts)}`,
      process: (src, filename, opts) => wrap(inner.process(src, filename, opts), filename),
    };
  },
};
