/**
 * Environment variables the CDK code sets on Lambda functions and the handlers read (once, at
 * module load, in lambda/shared/env.ts).
 */
export const RUNTIME_ENV = {
  envName: 'WALLET_ENV_NAME',
  tableName: 'WALLET_TABLE_NAME',
  /** ARN of this region's copy of the signing key (primary key or replica). */
  signingKeyArn: 'WALLET_SIGNING_KEY_ARN',
  /** This region's role in the pair: `primary` or `standby`. */
  regionRole: 'WALLET_REGION_ROLE',
  /** The other region of the pair. */
  peerRegion: 'WALLET_PEER_REGION',
  /** The standby region (where the failover switch lives). */
  standbyRegion: 'WALLET_STANDBY_REGION',
  primaryRegion: 'WALLET_PRIMARY_REGION',
  signingQueueUrl: 'WALLET_SIGNING_QUEUE_URL',
  /**
   * Signer only: the peer region's signing queue URL. A signer without the lease forwards what it
   * cannot sign there (lambda/signer/forward.ts), so nothing is stranded in a non-holder's queue.
   */
  peerSigningQueueUrl: 'WALLET_PEER_SIGNING_QUEUE_URL',
  /**
   * Standby remediation only: this region's signing DLQ and the peer's, emptied into this region's
   * signing queue by the hand-off after remediation moves a lease (lib/failover/handoff.ts).
   */
  signingDeadLetterQueueUrl: 'WALLET_SIGNING_DLQ_URL',
  peerSigningDeadLetterQueueUrl: 'WALLET_PEER_SIGNING_DLQ_URL',
  chainId: 'WALLET_CHAIN_ID',
  consistency: 'WALLET_CONSISTENCY',
  notificationTopicArn: 'WALLET_NOTIFICATION_TOPIC_ARN',
  remediationMode: 'WALLET_REMEDIATION_MODE',
  maxFailoversPerWindow: 'WALLET_MAX_FAILOVERS_PER_WINDOW',
  failoverWindowMinutes: 'WALLET_FAILOVER_WINDOW_MINUTES',
} as const;

export type RuntimeEnvName = (typeof RUNTIME_ENV)[keyof typeof RUNTIME_ENV];
