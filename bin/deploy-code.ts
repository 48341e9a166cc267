#!/usr/bin/env -S node --import tsx
/**
 * deploy-code: region-at-a-time code deploy (lib/deploy/cli.ts). This entry only wires the process in.
 *
 *   npm run deploy-code -- -c prod
 *   npm run deploy-code -- -c prod --dry-run
 */
import { runDeployCode } from '../lib/deploy/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runDeployCode(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
);
