#!/usr/bin/env -S node --import tsx
import { main } from '../lib/status/cli';

// bin/ only wires: the status page's operator CLI (lib/status/cli.ts). Exit codes: see --help.
main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  cwd: process.cwd(),
  env: process.env,
  now: () => new Date(),
}).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`wallet-status: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
