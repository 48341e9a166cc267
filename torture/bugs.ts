import type { PublicClient } from 'viem';
import { poolBroadcaster, poolNonceSource, type ProviderPool } from '../lib/chain/pool';
import { readPendingNonce } from '../lib/chain/rpc';
import type { Broadcaster, ChainNonceSource } from '../lib/contract/chain-io';
import type { Item } from '../lib/drill/sim/expressions';
import type { ActorContext } from './scheduler';

/**
 * Known-bad variants, switched on by `--inject-bug` to prove the harness finds what it is meant
 * to find. Each is injected through the harness's own seams - what the in-memory AWS answers to one
 * actor, or the dependencies the harness passes to a handler - never through production code: the
 * deployed handlers have no switch for any of them.
 *
 * - `skip-epoch`: the signers allocate and sign without the epoch condition: their lease reads
 *   answer "you hold it" and the allocation's `activeRegion = :me AND epoch = :epoch` is dropped.
 * - `no-intake-fence`: under MREC, the signers are given MRSC semantics, so they sign what an old
 *   epoch or another region accepted without reconciliation (no intake fence, no reconciled epoch).
 * - `trust-lost-response`: a writer whose lost-reply retry failed its own condition takes that for
 *   another writer's win: its later reads of that item (in the same invocation) show the item as it
 *   was before its own write, so write tokens cannot tell it "mine applied".
 * - `remediation-trusts-lost-response`: the standby's remediation, whose transition claim applied
 *   and whose reply was lost (the SDK retry then failed its own condition), reads the claim as
 *   another invocation's: its read of the claim item shows another request id, so the handler takes
 *   its own claim for a duplicate's and skips the automatic failover (issue 15, scenario 7).
 * - `skip-velocity-check`: the signers commit spends without the velocity check: their reads of the
 *   velocity counter answer "no spends yet", and the compare-and-set condition of their counter write
 *   is dropped, so each signer decides as if it were the first (issue 21).
 * - `trust-one-nonce-source`: reconciliation is given the first configured provider's
 *   eth_getTransactionCount("pending") as its chain-nonce source instead of the pool's agreement of
 *   two (a client configured with one URL), so a stale or stuck provider decides the nonce.
 * - `broadcast-to-one-provider`: the signers' broadcaster sends to the best healthy provider only
 *   (failover on error) instead of to every healthy provider, so a provider that swallows the send
 *   decides whether the network ever sees it.
 * - `sweep-ignores-in-flight`: the sweeper's listing of the hot address's unmined transactions (its
 *   gsi1 status queries) answers nothing, so it sweeps the whole balance above the ceiling, the wei
 *   the in-flight withdrawals still need included.
 * - `sweep-without-cas`: the sweeper writes the sweep-control item without its compare-and-set: the
 *   claim's `state = idle` / epoch condition and the submitted mark's `sweepId = :id AND epoch = :e`
 *   are dropped, so two runs at once (a duplicated invocation) each start their own sweep.
 * - `sweep-before-reconcile`: under MREC, the sweeper (and its in-process intake) is given MRSC
 *   semantics, so a new lease holder sweeps before reconciliation opened its epoch's intake.
 */
export const BUG_NAMES = [
  'skip-epoch',
  'no-intake-fence',
  'trust-lost-response',
  'remediation-trusts-lost-response',
  'skip-velocity-check',
  'trust-one-nonce-source',
  'broadcast-to-one-provider',
  'sweep-ignores-in-flight',
  'sweep-without-cas',
  'sweep-before-reconcile',
] as const;
export type BugName = (typeof BUG_NAMES)[number];

export interface BugSeams {
  beforeDynamo(actor: ActorContext, command: string, input: Record<string, unknown>): Record<string, unknown>;
  afterDynamo(
    actor: ActorContext,
    command: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): Record<string, unknown>;
  /** A lost-reply retry failed its condition although the first attempt applied. */
  onOwnWriteMissed(actor: ActorContext, input: Record<string, unknown>, before: Item | undefined): void;
  signerConsistency(mode: 'MRSC' | 'MREC'): 'MRSC' | 'MREC';
  /** The consistency the sweeper and its in-process intake are configured with. */
  sweeperConsistency(mode: 'MRSC' | 'MREC'): 'MRSC' | 'MREC';
  /** The signer's broadcaster over its region's pool (the real poolBroadcaster). */
  broadcaster(pool: ProviderPool): Broadcaster;
  /** Reconciliation's chain-nonce source over its region's pool; `clients` are the providers in config order. */
  nonceSource(pool: ProviderPool, clients: readonly PublicClient[]): ChainNonceSource;
}

const keyText = (key: unknown): string => {
  const k = key as { pk?: unknown; sk?: unknown } | undefined;
  return `${String(k?.pk)}|${String(k?.sk)}`;
};

const isSigner = (actor: ActorContext) => actor.name.startsWith('signer-');
const isRemediation = (actor: ActorContext) => actor.name.startsWith('remediation-');
const isSweeper = (actor: ActorContext) => actor.name.startsWith('sweeper-');

export function bugSeams(bug: BugName | undefined): BugSeams {
  const none: BugSeams = {
    beforeDynamo: (_a, _c, input) => input,
    afterDynamo: (_a, _c, _i, output) => output,
    onOwnWriteMissed: () => undefined,
    signerConsistency: (mode) => mode,
    sweeperConsistency: (mode) => mode,
    broadcaster: (pool) => poolBroadcaster(pool),
    nonceSource: (pool) => poolNonceSource(pool),
  };
  if (bug === undefined) return none;
  if (bug === 'trust-one-nonce-source') {
    return {
      ...none,
      nonceSource: (_pool, clients) => ({
        name: 'first-provider',
        pendingNonce: (address) => readPendingNonce(clients[0], address as `0x${string}`),
      }),
    };
  }
  if (bug === 'broadcast-to-one-provider') {
    return {
      ...none,
      broadcaster: (pool) => ({
        name: 'best-provider',
        enabled: true,
        broadcast: async (raw) => {
          await pool.read('eth_sendRawTransaction', (client) =>
            client.request({ method: 'eth_sendRawTransaction', params: [raw] }),
          );
        },
      }),
    };
  }
  if (bug === 'no-intake-fence') return { ...none, signerConsistency: () => 'MRSC' };
  if (bug === 'sweep-before-reconcile') return { ...none, sweeperConsistency: () => 'MRSC' };
  if (bug === 'sweep-ignores-in-flight') {
    return {
      ...none,
      afterDynamo(actor, command, input, output) {
        if (!isSweeper(actor) || command !== 'QueryCommand') return output;
        const partition = String((input.ExpressionAttributeValues as Item | undefined)?.[':p'] ?? '');
        return partition.startsWith('TXSTATUS#') ? { ...output, Items: [], Count: 0 } : output;
      },
    };
  }
  if (bug === 'sweep-without-cas') {
    return {
      ...none,
      beforeDynamo(actor, command, input) {
        if (!isSweeper(actor) || command !== 'UpdateItemCommand') return input;
        if (!String((input.Key as Item | undefined)?.pk).startsWith('SWEEP#')) return input;
        const update = String(input.UpdateExpression ?? '');
        // The claim (SET #state = :claimed ...) and the submitted mark (SET #state = :submitted ...).
        if (!update.startsWith('SET #state = :claimed') && !update.startsWith('SET #state = :submitted')) return input;
        const values = { ...(input.ExpressionAttributeValues as Item) };
        const names = { ...(input.ExpressionAttributeNames as Record<string, string>) };
        for (const unused of [':idle', ':id', ':e', ':claimed']) if (!update.includes(unused)) delete values[unused];
        if (!update.includes('#state')) delete names['#state'];
        const rest: Record<string, unknown> = {
          ...input,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: names,
        };
        delete rest.ConditionExpression;
        return rest;
      },
    };
  }
  if (bug === 'skip-epoch') {
    return {
      ...none,
      beforeDynamo(actor, command, input) {
        if (!isSigner(actor) || command !== 'UpdateItemCommand') return input;
        const condition = String(input.ConditionExpression ?? '');
        if (!condition.includes('nextNonce = :seen')) return input;
        return { ...input, ConditionExpression: condition.replace('activeRegion = :me AND epoch = :epoch AND ', '') };
      },
      afterDynamo(actor, command, input, output) {
        const item = output.Item as Item | undefined;
        if (!isSigner(actor) || command !== 'GetItemCommand' || item === undefined) return output;
        if (!String((input.Key as Item).pk).startsWith('LEASE#')) return output;
        return { Item: { ...item, activeRegion: actor.region, reconciledEpoch: item.epoch } };
      },
    };
  }
  if (bug === 'skip-velocity-check') {
    const isCounter = (key: unknown) => String((key as Item | undefined)?.pk).startsWith('POLICY#');
    return {
      ...none,
      beforeDynamo(actor, command, input) {
        if (!isSigner(actor) || command !== 'PutItemCommand' || !isCounter(input.Item)) return input;
        const rest = { ...input };
        delete rest.ConditionExpression;
        delete rest.ExpressionAttributeValues;
        return rest;
      },
      afterDynamo(actor, command, input, output) {
        if (!isSigner(actor) || command !== 'GetItemCommand' || !isCounter(input.Key)) return output;
        return {};
      },
    };
  }
  if (bug === 'remediation-trusts-lost-response') {
    return {
      ...none,
      onOwnWriteMissed(actor, input) {
        if (isRemediation(actor)) actor.scratch.set(`theirs:${keyText(input.Key ?? input.Item)}`, true);
      },
      afterDynamo(actor, command, input, output) {
        const item = output.Item as Item | undefined;
        if (command !== 'GetItemCommand' || item?.requestId === undefined) return output;
        if (!actor.scratch.has(`theirs:${keyText(input.Key)}`)) return output;
        return { Item: { ...item, requestId: `another-than-${String(item.requestId)}` } };
      },
    };
  }
  return {
    ...none,
    onOwnWriteMissed(actor, input, before) {
      actor.scratch.set(`hide:${keyText(input.Key ?? input.Item)}`, before);
    },
    afterDynamo(actor, command, input, output) {
      if (command !== 'GetItemCommand') return output;
      const key = keyText(input.Key);
      if (!actor.scratch.has(`hide:${key}`)) return output;
      const hidden = actor.scratch.get(`hide:${key}`) as Item | undefined;
      return hidden === undefined ? {} : { Item: structuredClone(hidden) };
    },
  };
}
