#!/usr/bin/env -S node --import tsx
/**
 * wallet-approve: two-person approval of held withdrawals (lib/operator/commands/approve.ts). This
 * entry only wires the process in: arguments, streams, environment (WALLET_API_URL, AWS_REGION, the
 * credential chain).
 *
 *   npm run approve -- list --wallet w-1 --api-url https://api.wallet.example.com --region us-east-2
 *   npm run approve -- show w-1 <txId>
 *   npm run approve -- approve w-1 <txId> --request-hash <hash from show>
 */
import { runApprove } from '../lib/operator/commands/approve';

// The SDK's Node 22 notice would land in every operator's terminal (bin/drill.ts says why).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runApprove(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
});
