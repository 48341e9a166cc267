/**
 * The one definition of which CloudFormation resource types hold state, used by the Wallet rules
 * (StatefulResourceRetained, StatefulResourceBackedUp), the backup coverage check and the
 * resilience report's facts.
 */

/** Resource types that hold data a region loss or a bad write could destroy (they need a backup). */
export const DATA_STORE_TYPES = [
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::EFS::FileSystem',
] as const;
export type DataStoreType = (typeof DATA_STORE_TYPES)[number];

/** Resource types that protect the data: losing one loses access to it (keys) or its copies (vault). */
export const DATA_PROTECTION_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey', 'AWS::Backup::BackupVault'] as const;

/** Every stateful resource type: retained on stack deletion and on replacement. */
export const STATEFUL_TYPES: readonly string[] = [...DATA_STORE_TYPES, ...DATA_PROTECTION_TYPES];

export const isDataStoreType = (type: string): type is DataStoreType =>
  (DATA_STORE_TYPES as readonly string[]).includes(type);
