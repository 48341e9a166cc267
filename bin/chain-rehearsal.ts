#!/usr/bin/env -S node --import tsx
/** Entry of `npm run chain-rehearsal` (bin/rehearsal/cli.ts): only wiring. */
import { main } from './rehearsal/cli';

void main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`chain-rehearsal: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
