#!/usr/bin/env -S node --import tsx
// Thin entry: `npm run verify -- -c <env> [--target simulated] [--json]` (lib/verify/cli.ts).
import { verifyMain } from '../lib/verify/cli';

verifyMain({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
}).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`wallet verify: unexpected error: ${err.message}\n`);
    process.exit(2);
  },
);
