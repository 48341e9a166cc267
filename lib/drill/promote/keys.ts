import { coldKeyAlias } from '../../contract/cold-key';
import { backupKeyAlias, dataKeyAlias, signingKeyAlias } from '../../contract/names';

/**
 * The multi-Region KMS keys `wallet-drill promote-keys` promotes, one line each, in the order it
 * promotes them. Each is found by its alias (lib/contract/names.ts), which the keys stacks create in
 * both regions (aliases are regional), so the drill needs no stack output and no cross-region lookup.
 *
 * `address: true` keys are secp256k1 signing keys: the pre-checks and the verification compare the
 * Ethereum address of each copy's public key (lib/drill/address.ts). The others are symmetric keys with
 * no public key: KMS guarantees that related multi-Region keys share their key material; the checks
 * compare the key id and key spec of both copies.
 *
 * `required: false` keys are promoted when they exist and skipped when neither region has them.
 * The cold key (`security.coldKey`, docs/cold-key.md) is such a key: a deployment with an external
 * cold signer has none.
 */
export interface PromotableKey {
  /** Short name in the plan and the report. */
  readonly name: string;
  readonly alias: (envName: string) => string;
  /** A secp256k1 signing key: its address must be the same in both regions, before and after. */
  readonly address: boolean;
  /** A missing required key blocks the run; a missing optional key is skipped. */
  readonly required: boolean;
  /** What the key protects (the plan and the runbook). */
  readonly purpose: string;
}

export const PROMOTABLE_KEYS: readonly PromotableKey[] = [
  {
    name: 'signing',
    alias: signingKeyAlias,
    address: true,
    required: true,
    purpose: "the hot wallet's signing key (the signer's only key)",
  },
  {
    name: 'data',
    alias: dataKeyAlias,
    address: false,
    required: true,
    purpose: 'encrypts the ledger table replicas, queues, topics and logs',
  },
  {
    name: 'backup',
    alias: backupKeyAlias,
    address: false,
    required: true,
    purpose: 'encrypts the backup vaults (usable only through AWS Backup)',
  },
  {
    name: 'cold',
    alias: coldKeyAlias,
    address: true,
    required: false,
    purpose: 'the cold signing key (security.coldKey; only the ColdSigner role signs, with MFA)',
  },
];
