#!/usr/bin/env node
import { drillRtoSimulator } from '../lib/drill/resilience-simulator';
import { main } from '../lib/resilience/cli';

// bin/ only wires: the report reads cdk.out (run `npm run synth` first); see lib/resilience/cli.ts.
// p50/p95 come from the drill's simulated AWS, the same model `npm run drill -- simulate` uses.
process.exitCode = main(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    cwd: process.cwd(),
  },
  { simulator: drillRtoSimulator() },
);
