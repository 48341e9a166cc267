/**
 * PLACEHOLDER entry of the chain watcher (issue 16), so the CDK construct
 * (lib/constructs/chain-watcher.ts) has an entry on the c-infra branch. c-track's
 * lambda/chain-watcher/index.ts replaces this file at merge; it never runs as is.
 */
export const handler = async (): Promise<void> => {
  throw new Error('chain-watcher: placeholder entry; the real handler is lambda/chain-watcher/handler.ts (c-track)');
};
