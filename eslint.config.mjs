import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import * as viemUtils from 'viem/utils';

/**
 * Import boundaries (docs/architecture.md, "Who may import whom"). Each is a `no-restricted-imports`
 * pattern on the relative import path, so a violation fails `npm run lint` naming the rule and the
 * boundary. test/lint/boundaries.test.ts proves each one fails on a deliberately wrong import.
 */
const boundary = (regex, message) => ({ regex, message: `Import boundary: ${message} (docs/architecture.md)` });
const LIB_NEVER_IMPORTS_LAMBDA = boundary(
  '^(\\.\\./)+lambda(/|$)',
  'lib/ never imports lambda/; shared protocol code belongs in lib/failover or lib/contract',
);
// The torture harness (torture/) sits above lambda/ and lib/, like bin/ and test/: production code
// never imports it, so none of its injected bugs can reach a deployed handler. Every restricted
// set below carries this pattern.
const NEVER_IMPORTS_TORTURE = boundary(
  '^(\\.\\./)+torture(/|$)',
  'production code never imports the torture harness (torture/)',
);
// Not a boundary but a load cost: viem's full index is 361 CommonJS files, loaded by every jest
// file and Lambda cold start that reaches it. A value viem/utils provides comes from viem/utils
// (types stay on 'viem'; they cost nothing at run time). The list is viem/utils' own exports, so
// it follows the pinned version.
const VIEM_VALUES_FROM_UTILS = {
  name: 'viem',
  importNames: Object.keys(viemUtils),
  message: "import this value from 'viem/utils' (viem's full index is 361 files to load); types may stay on 'viem'",
};
const restricted = (...patterns) => ({
  'no-restricted-imports': [
    'error',
    { paths: [VIEM_VALUES_FROM_UTILS], patterns: [...patterns, NEVER_IMPORTS_TORTURE] },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', 'client/dist/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='fromLookup']",
          message: 'fromLookup needs AWS credentials at synth; pass ids from config instead.',
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/constructs/**', 'lib/drill/**', 'lib/resilience/**'],
    rules: restricted(LIB_NEVER_IMPORTS_LAMBDA),
  },
  {
    files: ['lib/constructs/**/*.ts'],
    rules: restricted(
      LIB_NEVER_IMPORTS_LAMBDA,
      boundary(
        '^\\.\\./config(/|$)',
        'constructs never import lib/config; take typed, documented props and map the config beside the stacks',
      ),
    ),
  },
  {
    files: ['lib/drill/**/*.ts'],
    rules: restricted(
      LIB_NEVER_IMPORTS_LAMBDA,
      boundary('^(\\.\\./)+resilience(/|$)', 'lib/drill and lib/resilience are siblings; wire them together in bin/'),
    ),
  },
  {
    files: ['lib/resilience/**/*.ts'],
    rules: restricted(
      LIB_NEVER_IMPORTS_LAMBDA,
      boundary('^(\\.\\./)+drill(/|$)', 'lib/drill and lib/resilience are siblings; wire them together in bin/'),
    ),
  },
  {
    // The client library ships to the wallet's apps and partners (docs/client.md): its bundle must
    // hold no CDK, SDK or server code, so it imports only its own files and the API contract.
    files: ['client/**/*.ts'],
    rules: restricted(
      boundary(
        '^(?!\\.\\.?/)',
        'client/ imports no package and no Node built-in (its bundle runs in browsers too and must carry no server code); use the platform (fetch, crypto.randomUUID) or take a hook in the options',
      ),
      boundary(
        '^(\\.\\./)+(?!lib/contract/)',
        'client/ imports only its own files and the API contract (lib/contract); never CDK, lib or lambda code',
      ),
    ),
  },
  {
    files: ['lambda/**/*.ts'],
    rules: restricted(
      boundary(
        '^(\\.\\./)+lib/(?!(contract|failover|status|chain)/)',
        'Lambda code imports only lib/contract (shared names), lib/failover (the data-plane protocol), lib/chain (the RPC provider pool, fees and confirmation rules) and lib/status (the status-page model the updater and wallet-status share)',
      ),
    ),
  },
);
