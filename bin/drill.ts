#!/usr/bin/env -S node --import tsx
/**
 * wallet-drill: the failover drill CLI (lib/drill/cli.ts). This entry only wires the process in:
 * arguments, streams, environment (NO_COLOR, the AWS credential and region chain), Ctrl-C.
 *
 *   npm run drill -- plan --target simulated
 *   npm run drill -- failover --execute --yes --target simulated --json
 */
import { runCli } from '../lib/drill/cli';

// The SDK warns on every run that future releases need Node 22; the project pins Node >= 20 and the
// warning would land in every operator's terminal. Set the variable yourself to get it back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
}).then((code) => {
  process.exitCode = code;
  // SDK keep-alive sockets must not hold the process open once the drill is done.
  setTimeout(() => process.exit(code), 2000).unref();
});
