import type { TransactionChainView } from '../../lib/contract/api-wire';
import type { TransactionRecord } from '../shared/ledger';
import type { ChainTransaction } from '../shared/ledger-chain';
import { variantsOf } from '../shared/ledger-variants';

/**
 * The chain facts of a transaction as `GET .../transactions/{txId}` shows them (issue 16): where it
 * was mined, how many confirmations were counted, every signed variant with the ones not mined
 * marked replaced. Empty for a transaction the chain watcher has not seen mined and that has one
 * variant only, so the answer is unchanged without a chain.
 */
export function chainView(record: TransactionRecord): TransactionChainView {
  const tx = record as ChainTransaction;
  const variants = variantsOf(tx);
  const mined = tx.minedTxHash !== undefined && (tx.status === 'mined' || tx.status === 'confirmed');
  return {
    ...(mined
      ? {
          transactionHash: tx.minedTxHash,
          mined: {
            blockNumber: tx.minedBlockNumber as number,
            blockHash: tx.minedBlockHash as string,
            at: tx.minedAt as string,
            ...(tx.minedReceiptStatus !== undefined ? { receiptStatus: tx.minedReceiptStatus } : {}),
          },
        }
      : {}),
    ...(tx.status === 'confirmed' && tx.confirmations !== undefined
      ? { confirmations: tx.confirmations, confirmedAt: tx.confirmedAt }
      : {}),
    ...(tx.reorgs !== undefined && tx.reorgs > 0 ? { reorgs: tx.reorgs } : {}),
    ...(variants.length > 1 || tx.variants !== undefined
      ? {
          variants: variants.map((v) => ({
            index: v.index,
            transactionHash: v.txHash,
            ...(v.signedAt !== undefined ? { signedAt: v.signedAt } : {}),
            replaced: mined && v.txHash.toLowerCase() !== tx.minedTxHash?.toLowerCase(),
          })),
        }
      : {}),
  };
}
