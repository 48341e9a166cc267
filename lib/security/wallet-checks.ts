import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { onePass } from './rules/one-pass';
import * as rules from './rules';

interface RuleDoc {
  readonly rule: (node: CfnResource) => NagRuleResult;
  readonly info: string;
  readonly explanation: string;
}

/**
 * The wallet's own rule pack, for what the stock packs do not look at (global tables, replica
 * keys, key policies, Route 53 health checks, backups, canaries). Written the way cdk-nag writes
 * rules: one rule per file under ./rules, each COMPLIANT / NON_COMPLIANT / NOT_APPLICABLE, and
 * registered like the other packs, so a finding fails the synth and is acknowledged the same way.
 */
export const WALLET_RULES: readonly RuleDoc[] = [
  {
    rule: rules.GlobalTableReplicaPitr,
    info: 'A replica of the global table does not have point-in-time recovery enabled.',
    explanation:
      'Every replica must be restorable to any second of the last 35 days; replication copies mistakes to every region.',
  },
  {
    rule: rules.GlobalTableReplicaDeletionProtection,
    info: 'A replica of the global table does not have deletion protection enabled.',
    explanation:
      'A deleted replica loses the wallet ledger in that region; deletion must be a deliberate two-step act.',
  },
  {
    rule: rules.GlobalTableCustomerManagedKey,
    info: 'The global table is not encrypted with a customer-managed KMS key on every replica.',
    explanation: 'The ledger holds wallet state; its key must be one the account controls and audits, in every region.',
  },
  {
    rule: rules.StatefulResourceRetained,
    info: 'A stateful resource (table, key, vault, bucket) is not retained on deletion and replacement.',
    explanation: 'A stack deletion or a replacing update must never destroy wallet state or the keys that protect it.',
  },
  {
    rule: rules.SigningKeySpec,
    info: 'The signing key is not a multi-region ECC_SECG_P256K1 SIGN_VERIFY key with a 30-day deletion window.',
    explanation:
      'Ethereum signing needs secp256k1; multi-region gives the standby the same address; 30 days is the longest window to undo a deletion.',
  },
  {
    rule: rules.KeyPolicyDeniesDeletion,
    info: 'The key policy does not deny ScheduleKeyDeletion and DisableKey to everyone but a named break-glass principal.',
    explanation:
      'Deleting or disabling a signing or data key is unrecoverable loss of funds or data; only break-glass may do it.',
  },
  {
    rule: rules.SigningKeyInEveryRegion,
    info: 'A region holding a ledger replica has no copy of the signing key.',
    explanation: 'After a failover the standby must sign for the same address: it needs a replica of the signing key.',
  },
  {
    rule: rules.OnlySignerCanSign,
    info: 'An IAM policy grants kms:Sign to a role other than a signer role.',
    explanation: 'Only the signer role may sign; the API, remediation and operators must never be able to.',
  },
  {
    rule: rules.ColdKeyOnlyMfaRole,
    info: 'The cold key can be signed with by a principal other than the MFA-only ColdSigner role, or a function or service can assume that role (finding: what broke).',
    explanation:
      'Cold funds must be out of reach of automation: only a treasury officer with MFA, through the ColdSigner role, ever signs with the cold key.',
  },
  {
    rule: rules.FailoverRecordPairs,
    info: 'A failover record has no partner, or the PRIMARY record has no health check.',
    explanation: 'A lone PRIMARY never fails over; a PRIMARY without a health check is always considered healthy.',
  },
  {
    rule: rules.BackupVaultLocked,
    info: 'The backup vault has no vault lock.',
    explanation:
      'Without a lock, whoever can delete recovery points can erase the only defence against replicated mistakes.',
  },
  {
    rule: rules.StatefulResourceBackedUp,
    info: 'A table or bucket holding wallet state is not in a backup selection whose plan copies to another region.',
    explanation:
      'Replication copies deletes and corruption to every region in seconds; only immutable backups outside the region recover from them.',
  },
  {
    rule: rules.CanaryRuntimeCurrent,
    info: 'A Synthetics canary uses a deprecated runtime (or one not known at synth).',
    explanation:
      'Synthetics cannot create canaries on a deprecated runtime and no longer patches it; the canary must be moved before it rots.',
  },
  {
    rule: rules.CanaryHasAlarm,
    info: 'A Synthetics canary has no alarm on its CloudWatchSynthetics SuccessPercent (dimension CanaryName).',
    explanation: 'A failing canary that alerts nobody detects nothing; every canary must page through an alarm.',
  },
  {
    rule: rules.DeployerNotLockedOut,
    info: 'A resource policy refuses the deploying role an action its CloudFormation handler calls (finding: handler:action:statement).',
    explanation:
      'Offline synth cannot see it: the first real deploy fails on the refused call (e.g. kms:EnableKeyRotation after CreateKey) and every later stack never starts.',
  },
  {
    rule: rules.AlarmMetricPublished,
    info: 'An alarm watches a metric its service does not publish in this configuration, or a custom metric with no publisher in the contract.',
    explanation:
      'An alarm on a metric that never has data never fires (e.g. ReplicationLatency on an MRSC table): the failure it guards goes unseen.',
  },
  {
    rule: rules.ServiceRefusesValues,
    info: 'A resource carries a property combination CloudFormation or the service refuses (finding: the refusal id).',
    explanation: 'Synth accepts it, the deploy does not (e.g. S3 lifecycle ExpiredObjectDeleteMarker with Days).',
  },
  {
    rule: rules.RtoBudgetFits,
    info: 'Health-check detection (interval x threshold) plus the failover switch alarm detection plus DNS cache time exceeds the declared RTO target.',
    explanation: 'Failover that cannot complete within the RTO target breaks the promise made to users.',
  },
];

export class WalletChecks extends NagPack {
  public override readonly name = 'Wallet';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'Wallet';
  }

  /** One walk of the tree is one pass: whole-app facts are computed once in it (rules/one-pass.ts). */
  public override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return onePass(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    for (const doc of WALLET_RULES) {
      this.applyRule({ ...doc, level: NagMessageLevel.ERROR, node });
    }
  }
}
