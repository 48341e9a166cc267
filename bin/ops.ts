#!/usr/bin/env -S node --import tsx
/**
 * wallet-ops: the operator commands (lib/operator/cli.ts). This entry only wires the process in:
 * arguments, streams, environment (AWS_REGION, the credential chain) and the ledger port.
 *
 *   npm run ops -- stuck --region us-west-2 --address 0x...
 *   npm run ops -- cancel w-1 <txId> --region us-west-2 --address 0x... --evidence "..." --dry-run
 */
import { runOps } from '../lib/operator/cli';
import { operatorAllowlist, operatorLedger } from './ops-ledger';

// The SDK's Node 22 notice would land in every operator's terminal (bin/drill.ts says why).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runOps(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  ledger: operatorLedger,
  allowlist: operatorAllowlist,
}).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
});
