const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * jest's own order (failed first, then slowest first from the timing cache), except for files it
 * has no timing for. jest sorts those by file size, which puts the two CDK aggregates
 * (test/cdk-app.test.ts and test/cdk-constructs.test.ts, a few hundred bytes each, but the two
 * longest files of the run) LAST on a cold cache, as in CI's fresh clone: both workers then end on
 * one long file each and the shorter one idles. Here an aggregate weighs the size of the suites it
 * loads (test/helpers/suites.ts), so with no timings both start first and the short files fill the
 * gaps; with timings jest's cache already puts them first.
 */
const TEST_ROOT = path.join(__dirname, '..');
const AGGREGATE = /[\\/]test[\\/]cdk-(app|constructs)\.test\.ts$/;

function suiteBytes(constructs) {
  return readdirSync(TEST_ROOT, { recursive: true })
    .filter((f) => f.endsWith('.suite.ts'))
    .filter((f) => f.split(path.sep).join('/').startsWith('constructs/') === constructs)
    .reduce((sum, f) => sum + statSync(path.join(TEST_ROOT, f)).size, 0);
}

class WalletSequencer extends Sequencer {
  /** The size jest would sort an untimed file by; an aggregate's includes its suites. */
  weight(test) {
    const own = test.context.hasteFS.getSize(test.path) ?? 0;
    const m = AGGREGATE.exec(test.path);
    return m === null ? own : own + suiteBytes(m[1] === 'constructs');
  }

  sort(tests) {
    const sorted = super.sort(tests);
    const weights = new Map(sorted.map((t) => [t.path, t.duration == null ? this.weight(t) : 0]));
    return sorted.sort((a, b) => {
      const failedA = this.hasFailed(a);
      const failedB = this.hasFailed(b);
      if (failedA !== failedB) return failedA ? -1 : 1;
      const timedA = a.duration != null;
      const timedB = b.duration != null;
      // Like jest: a file with a timing runs after the untimed ones (it is known to be quick enough).
      if (timedA !== timedB) return timedA ? 1 : -1;
      if (timedA) return b.duration - a.duration;
      return weights.get(b.path) - weights.get(a.path);
    });
  }
}

module.exports = WalletSequencer;
