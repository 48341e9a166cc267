import { Command } from 'commander';
import type { Hex, TransactionSerializableEIP1559 } from 'viem';
import { keccak256, serializeTransaction } from 'viem/utils';
import { feePolicy, type FeeHistory, firstFees } from '../../chain/fees';
import { ProviderPool } from '../../chain/pool';
import { SWEEP_GAS_LIMIT } from '../../contract/sweep';
import { OPS_EXIT } from '../exit-codes';
import { type OpsCli, type OpsOptions, OpsRefusedError, OpsUsageError } from './context';
import { addCommon, WHOLE } from './options';

/**
 * `wallet-ops prepare-top-up --amount-wei <n>`: the cold-to-hot direction, by hand only (issue 21;
 * docs/runbooks/cold-top-up.md). Builds the UNSIGNED EIP-1559 transfer from the cold address to the
 * hot address — chain id, the cold address's pending nonce (two providers of the pool agreeing),
 * first fees from eth_feeHistory (lib/chain/fees.ts firstFees, under the chain's cap), 21000 gas —
 * and prints it for the cold signer: the serialized unsigned transaction, its fields, and the
 * keccak256 signing digest (what a KMS-based cold signer signs with MessageType DIGEST).
 *
 * It never signs and has no access to any key: it reads the chain only (no AWS call at all).
 * It refuses a top-up that would push the hot balance above spending.cold.floatCeilingWei
 * (the sweeper would send the excess straight back), unless --allow-above-ceiling.
 */

/** What the command reads of the chain (the provider pool's members). */
export interface TopUpChain {
  pendingNonce(address: string): Promise<number>;
  balance(address: string): Promise<bigint>;
  feeHistory(): Promise<FeeHistory>;
}

export interface PreparedTopUp {
  readonly from: string;
  readonly to: string;
  readonly chainId: number;
  readonly nonce: number;
  readonly valueWei: string;
  readonly gas: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  /** The worst-case fee the cold address pays on top of the value: gas x maxFeePerGas. */
  readonly maxFeeWei: string;
  /** The EIP-1559 unsigned transaction, serialized (0x02 || rlp([...])): what the cold signer signs. */
  readonly unsignedTransaction: Hex;
  /** keccak256 of the unsigned serialization: the digest the signature is over. */
  readonly signingDigest: Hex;
  readonly hotBalanceWei: string;
  readonly hotBalanceAfterWei: string;
  readonly floatCeilingWei?: string;
  /** true when the hot balance after the top-up is above the ceiling (only with --allow-above-ceiling). */
  readonly aboveCeiling: boolean;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export async function prepareTopUp(input: {
  readonly chain: TopUpChain;
  readonly chainId: number;
  readonly coldAddress: string;
  readonly hotAddress: string;
  readonly amountWei: bigint;
  readonly floatCeilingWei?: bigint;
  readonly allowAboveCeiling: boolean;
  readonly fees: Parameters<typeof feePolicy>[0];
}): Promise<PreparedTopUp> {
  const from = input.coldAddress.toLowerCase() as Hex;
  const to = input.hotAddress.toLowerCase() as Hex;
  const [nonce, hotBalance, history] = await Promise.all([
    input.chain.pendingNonce(from),
    input.chain.balance(to),
    input.chain.feeHistory(),
  ]);
  const after = hotBalance + input.amountWei;
  const above = input.floatCeilingWei !== undefined && after > input.floatCeilingWei;
  if (above && !input.allowAboveCeiling) {
    throw new OpsRefusedError(
      `refusing: the hot balance ${hotBalance} wei + ${input.amountWei} wei = ${after} wei would be above the float ceiling ` +
        `of ${input.floatCeilingWei} wei (spending.cold.floatCeilingWei), and the sweeper would send the excess back to cold. ` +
        `Top up at most ${input.floatCeilingWei! > hotBalance ? input.floatCeilingWei! - hotBalance : 0n} wei, or pass --allow-above-ceiling.`,
      { hotBalanceWei: hotBalance.toString(), floatCeilingWei: input.floatCeilingWei!.toString() },
    );
  }
  const { fees } = firstFees(history, feePolicy(input.fees));
  const tx: TransactionSerializableEIP1559 = {
    type: 'eip1559',
    chainId: input.chainId,
    nonce,
    to,
    value: input.amountWei,
    gas: BigInt(SWEEP_GAS_LIMIT),
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  };
  const unsigned = serializeTransaction(tx);
  return {
    from,
    to,
    chainId: input.chainId,
    nonce,
    valueWei: input.amountWei.toString(),
    gas: SWEEP_GAS_LIMIT,
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    maxFeeWei: (BigInt(SWEEP_GAS_LIMIT) * fees.maxFeePerGas).toString(),
    unsignedTransaction: unsigned,
    signingDigest: keccak256(unsigned),
    hotBalanceWei: hotBalance.toString(),
    hotBalanceAfterWei: after.toString(),
    ...(input.floatCeilingWei !== undefined ? { floatCeilingWei: input.floatCeilingWei.toString() } : {}),
    aboveCeiling: above,
  };
}

interface TopUpOptions extends OpsOptions {
  amountWei?: string;
  coldAddress?: string;
  allowAboveCeiling?: boolean;
  rpcUrl?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerPrepareTopUp(program: Command, cli: OpsCli): void {
  addCommon(program.command('prepare-top-up'))
    .description(
      'prepare an UNSIGNED transfer from the cold address to the hot address (--address) for the cold signer; never signs (docs/runbooks/cold-top-up.md)',
    )
    .option('--amount-wei <n>', 'the amount to move to the hot address, in wei (a whole number above 0)')
    .option('--cold-address <0xaddress>', 'the cold address (default: spending.cold.coldAddress of the config)')
    .option('--allow-above-ceiling', 'allow a top-up that leaves the hot balance above spending.cold.floatCeilingWei')
    .option(
      '--rpc-url <[name=]url>',
      'an RPC provider to read the chain through (repeat; at least two must agree on the nonce). Default: the config providers with a plain url',
      collect,
    )
    .action(
      cli.guarded(async (opts: TopUpOptions) => {
        const problems: string[] = [];
        const raw = opts.amountWei;
        if (raw === undefined || !WHOLE.test(raw) || raw === '0') {
          problems.push(
            `--amount-wei must be a whole number of wei above 0 (no sign, point or exponent), e.g. 1000000000000000000 for 1 ETH; received ${JSON.stringify(raw ?? null)}`,
          );
        }
        if (opts.coldAddress !== undefined && !ADDRESS.test(opts.coldAddress)) {
          problems.push(
            `--cold-address must be 0x followed by 40 hex digits; received ${JSON.stringify(opts.coldAddress)}`,
          );
        }
        const s = cli.session(opts, problems);
        const cold = opts.coldAddress ?? s.config.spending.cold?.coldAddress;
        const later: string[] = [];
        if (cold === undefined) {
          later.push('no cold address: pass --cold-address 0x... or set spending.cold.coldAddress in the config');
        } else if (cold.toLowerCase() === s.address) {
          later.push(`--cold-address is the hot address itself (${s.address}); a top-up moves funds from cold to hot`);
        }
        const chain = s.config.chain;
        const urls = (opts.rpcUrl ?? []).map((v, i) => {
          const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(v);
          return m === null ? { name: `rpc-${i + 1}`, url: v } : { name: m[1], url: m[2] };
        });
        const providers =
          urls.length > 0
            ? urls
            : (chain.providers ?? []).flatMap((p) => ('url' in p && p.url ? [{ name: p.name, url: p.url }] : []));
        for (const p of providers) {
          if (!/^https?:\/\//.test(p.url))
            later.push(`--rpc-url ${p.name} must be an http(s) URL; received ${JSON.stringify(p.url)}`);
        }
        if (providers.length === 0) {
          later.push(
            'no RPC provider with a plain url: pass --rpc-url <url> (twice: two providers must agree on the nonce)',
          );
        }
        if (later.length > 0) throw new OpsUsageError(later);
        const pool = new ProviderPool({
          chainId: chain.chainId,
          providers,
          limits: {
            maxLagBlocks: chain.health.maxLagBlocks,
            maxLagSeconds: chain.health.maxLagSeconds,
            maxErrorRate: chain.health.maxErrorRate,
            requestTimeoutMs: chain.health.requestTimeoutMs,
            refreshIntervalMs: 10_000,
          },
        });
        const ceiling = s.config.spending.cold?.floatCeilingWei;
        const prepared = await prepareTopUp({
          chain: {
            pendingNonce: (a) => pool.pendingNonce(a),
            balance: (a) => pool.read('eth_getBalance', (c) => c.getBalance({ address: a as Hex })),
            feeHistory: () =>
              pool.read('eth_feeHistory', async (c) => {
                const h = await c.getFeeHistory({
                  blockCount: chain.fees.feeHistoryBlocks,
                  rewardPercentiles: [chain.fees.rewardPercentile],
                });
                return { baseFeePerGas: h.baseFeePerGas, reward: h.reward };
              }),
          },
          chainId: chain.chainId,
          coldAddress: cold as string,
          hotAddress: s.address,
          amountWei: BigInt(raw as string),
          ...(ceiling !== undefined ? { floatCeilingWei: BigInt(ceiling) } : {}),
          allowAboveCeiling: opts.allowAboveCeiling === true,
          fees: chain.fees,
        });
        if (s.json) {
          s.out(JSON.stringify({ command: 'prepare-top-up', signed: false, ...prepared }, null, 2));
        } else {
          s.out(
            [
              'UNSIGNED top-up (cold -> hot). Nothing was signed or sent. Verify every field on the offline',
              'machine before the cold signer signs it (docs/runbooks/cold-top-up.md).',
              `  chain id               ${prepared.chainId}`,
              `  from (cold)            ${prepared.from}`,
              `  to (hot)               ${prepared.to}`,
              `  value                  ${prepared.valueWei} wei`,
              `  nonce (cold, pending)  ${prepared.nonce}`,
              `  gas                    ${prepared.gas}`,
              `  maxFeePerGas           ${prepared.maxFeePerGas} wei`,
              `  maxPriorityFeePerGas   ${prepared.maxPriorityFeePerGas} wei`,
              `  worst-case fee         ${prepared.maxFeeWei} wei`,
              `  hot balance            ${prepared.hotBalanceWei} wei -> ${prepared.hotBalanceAfterWei} wei` +
                (prepared.floatCeilingWei !== undefined ? ` (ceiling ${prepared.floatCeilingWei} wei)` : ''),
              ...(prepared.aboveCeiling ? ['  WARNING: above the float ceiling (--allow-above-ceiling)'] : []),
              `Unsigned transaction: ${prepared.unsignedTransaction}`,
              `Signing digest (keccak256, for a DIGEST signer): ${prepared.signingDigest}`,
            ].join('\n'),
          );
        }
        return OPS_EXIT.ok;
      }) as never,
    );
}
