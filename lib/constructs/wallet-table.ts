import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Consistency, LEDGER_ATTRIBUTES, LEDGER_GSI1 } from '../contract/ledger';

/** Days of point-in-time recovery kept on every replica (the DynamoDB maximum). */
export const PITR_RECOVERY_PERIOD_DAYS = 35;

/** Props of {@link WalletLedgerTable}. */
export interface WalletLedgerTableProps {
  /** Physical table name; the same in every region. Renaming it replaces the table. */
  readonly tableName: string;
  /**
   * `MRSC`: multi-region strong consistency (RPO 0, needs `witnessRegion`).
   * `MREC`: multi-region eventual consistency (last writer wins, RPO = replication lag).
   */
  readonly consistency: Consistency;
  /** The standby region, which holds the second full replica. */
  readonly replicaRegion: string;
  /**
   * The MRSC witness region: it stores replication log state only, no table data, so it needs
   * no encryption key.
   * @default - none; required when `consistency` is `MRSC`
   */
  readonly witnessRegion?: string;
  /** The data key in the table's own (primary) region. */
  readonly encryptionKey: kms.IKey;
  /** ARN of the data key's replica in `replicaRegion`; it must exist before the table. */
  readonly replicaKeyArn: string;
}

/**
 * The wallet ledger: one DynamoDB global table (single-table design, docs/data-model.md)
 * replicated to the standby region, with PITR, deletion protection and a customer-managed key
 * on every replica, on-demand billing, and RETAIN.
 *
 * All wallet-safety writes are single-item conditional writes, so the same logic is correct
 * under MRSC (which does not support transactions) and MREC.
 */
export class WalletLedgerTable extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: WalletLedgerTableProps) {
    super(scope, id);
    const strong = props.consistency === 'MRSC';
    if (strong && props.witnessRegion === undefined) {
      throw new Error(
        `WalletLedgerTable ${this.node.path}: consistency "MRSC" needs a witnessRegion; received none. ` +
          'Set regions.witness in the config or choose "MREC".',
      );
    }
    if (!strong && props.witnessRegion !== undefined) {
      throw new Error(
        `WalletLedgerTable ${this.node.path}: witnessRegion is only valid with "MRSC"; received "${props.witnessRegion}" with "MREC". ` +
          'Remove regions.witness from the config or choose "MRSC".',
      );
    }
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: LEDGER_ATTRIBUTES.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_ATTRIBUTES.sortKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: [
        {
          indexName: LEDGER_GSI1,
          partitionKey: { name: LEDGER_ATTRIBUTES.gsi1PartitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: LEDGER_ATTRIBUTES.gsi1SortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: PITR_RECOVERY_PERIOD_DAYS,
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey, {
        [props.replicaRegion]: props.replicaKeyArn,
      }),
      multiRegionConsistency: strong
        ? dynamodb.MultiRegionConsistency.STRONG
        : dynamodb.MultiRegionConsistency.EVENTUAL,
      witnessRegion: props.witnessRegion,
      replicas: [{ region: props.replicaRegion }],
    });
    if (strong) {
      // TableV2 turns on a NEW_AND_OLD_IMAGES stream whenever replicas are configured, and nothing
      // in the wallet reads it. CloudFormation's GlobalTable StreamSpecification: "You must specify
      // a value for this property for a AWS::DynamoDB::GlobalTable resource configured for MREC with
      // more than one entry in Replicas. For Multi-Region Strong Consistency (MRSC), Streams are not
      // required". So under MRSC the stream goes; under MREC it stays (replication needs it).
      (this.table.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyDeletionOverride('StreamSpecification');
    }
  }
}
