import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The import boundaries of eslint.config.mjs fail on deliberately wrong imports, naming the rule.
 * One child process lints every fixture with ESLint's own API and the repository's config (jest's
 * module sandbox cannot load the ESM config itself).
 */
const ROOT = path.join(__dirname, '..', '..');

interface Case {
  /** Where the fixture pretends to live (the config applies by path; nothing is written). */
  readonly file: string;
  readonly source: string;
}

const WRONG: Record<string, Case> = {
  'a construct imports the config': {
    file: 'lib/constructs/boundary-fixture.ts',
    source: "import { WalletConfig } from '../config/schema';\nexport type X = WalletConfig;\n",
  },
  'lib/ imports lambda/': {
    file: 'lib/failover/boundary-fixture.ts',
    source: "import { Ledger } from '../../lambda/shared/ledger';\nexport type X = Ledger;\n",
  },
  'the drill imports the resilience report': {
    file: 'lib/drill/boundary-fixture.ts',
    source: "import { EXIT } from '../resilience/cli';\nexport const x = EXIT;\n",
  },
  'the resilience report imports the drill': {
    file: 'lib/resilience/boundary-fixture.ts',
    source: "import { EXIT } from '../drill/exit-codes';\nexport const x = EXIT;\n",
  },
  'a Lambda imports the torture harness': {
    file: 'lambda/signer/boundary-fixture.ts',
    source: "import { BUG_NAMES } from '../../torture/bugs';\nexport const x = BUG_NAMES;\n",
  },
  'a Lambda imports CDK-side lib code': {
    file: 'lambda/api/boundary-fixture.ts',
    source: "import { WalletConfig } from '../../lib/config/schema';\nexport type X = WalletConfig;\n",
  },
  'the client imports CDK-side lib code': {
    file: 'client/boundary-fixture.ts',
    source: "import { WalletConfig } from '../lib/config/schema';\nexport type X = WalletConfig;\n",
  },
  'the client imports Lambda code': {
    file: 'client/boundary-fixture.ts',
    source: "import { errorToHttp } from '../lambda/shared/errors';\nexport const x = errorToHttp;\n",
  },
  'the client imports a package': {
    file: 'client/boundary-fixture.ts',
    source: "import { Stack } from 'aws-cdk-lib';\nexport type X = Stack;\n",
  },
  'the client imports a Node built-in': {
    file: 'client/boundary-fixture.ts',
    source: "import { request } from 'node:https';\nexport const x = request;\n",
  },
};

/** Not boundaries but load cost: a value viem/utils provides must not pull in viem's full index. */
const FULL_VIEM_INDEX: Record<string, Case> = {
  'the provider pool imports keccak256 from viem': {
    file: 'lib/chain/boundary-fixture.ts',
    source: "import { keccak256 } from 'viem';\nexport const x = keccak256;\n",
  },
  'a Lambda imports getAddress from viem': {
    file: 'lambda/signer/boundary-fixture.ts',
    source: "import { type Hex, getAddress } from 'viem';\nexport const x: (a: Hex) => Hex = getAddress;\n",
  },
};

const RIGHT: Record<string, Case> = {
  'a Lambda takes viem types from viem and values from viem/utils': {
    file: 'lambda/signer/boundary-fixture.ts',
    source:
      "import { type Hex } from 'viem';\nimport { getAddress } from 'viem/utils';\nexport const x: (a: Hex) => Hex = getAddress;\n",
  },
  'the pool imports a client from viem (viem/utils has none)': {
    file: 'lib/chain/boundary-fixture.ts',
    source: "import { createPublicClient } from 'viem';\nexport const x = createPublicClient;\n",
  },
  'a construct imports the contract': {
    file: 'lib/constructs/boundary-fixture.ts',
    source: "import { TAG_KEYS } from '../contract/names';\nexport const x = TAG_KEYS;\n",
  },
  'a Lambda imports the shared protocol': {
    file: 'lambda/signer/boundary-fixture.ts',
    source: "import { readLease } from '../../lib/failover/lease';\nexport const x = readLease;\n",
  },
  'the client imports the API contract and its own files': {
    file: 'client/boundary-fixture.ts',
    source:
      "import { REPLAYED_HEADER } from '../lib/contract/api-wire';\nimport { NetworkError } from './transport';\nexport const x = [REPLAYED_HEADER, NetworkError];\n",
  },
  'the drill imports the failover-timing model': {
    file: 'lib/drill/boundary-fixture.ts',
    source: "import { DEFAULT_ASSUMPTIONS } from '../failover/timing';\nexport const x = DEFAULT_ASSUMPTIONS;\n",
  },
};

const SCRIPT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = {};
for (const [name, c] of Object.entries(cases)) {
  const [result] = await eslint.lintText(c.source, { filePath: c.file });
  out[name] = result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}
process.stdout.write(JSON.stringify(out));
`;

let results: Record<string, Array<{ ruleId: string | null; message: string }>>;

beforeAll(() => {
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', SCRIPT, JSON.stringify({ ...WRONG, ...FULL_VIEM_INDEX, ...prefix(RIGHT) })],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`linting the fixtures failed (${run.status}): ${run.stderr}`);
  results = JSON.parse(run.stdout);
});

function prefix(cases: Record<string, Case>): Record<string, Case> {
  return Object.fromEntries(Object.entries(cases).map(([k, v]) => [`ok: ${k}`, v]));
}

test.each(Object.keys(WRONG))('fails when %s, naming no-restricted-imports and the boundary', (name) => {
  expect(results[name]).toEqual([
    { ruleId: 'no-restricted-imports', message: expect.stringContaining('Import boundary:') },
  ]);
});

test.each(Object.keys(FULL_VIEM_INDEX))('fails when %s, naming viem/utils', (name) => {
  expect(results[name]).toEqual([
    { ruleId: 'no-restricted-imports', message: expect.stringContaining("import this value from 'viem/utils'") },
  ]);
});

test.each(Object.keys(RIGHT))('passes when %s', (name) => {
  expect(results[`ok: ${name}`]).toEqual([]);
});
