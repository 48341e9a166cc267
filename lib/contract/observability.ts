/**
 * Metrics the CDK derives from the functions' logs, and the log events they count. The runtime code
 * that writes these events imports the names from here (the signer's KMS retry hook,
 * `logKmsRetry` in lambda/signer/handler.ts, logs the message with the error through Powertools'
 * JSON logger).
 */

/**
 * A KMS call of the signer that KMS throttled and the signer retried: Powertools writes
 * `{"message":"KMS retry","error":{"name":"ThrottlingException",...},...}`.
 */
export const KMS_THROTTLE_LOG_EVENT = { message: 'KMS retry', errorName: 'ThrottlingException' } as const;

/** Metric names of the signer's log metric filters. */
export const SIGNER_METRICS = {
  /** Count of KMS calls the signer retried after a ThrottlingException (`kms-throttling` alarm). */
  kmsThrottled: 'KmsThrottled',
} as const;

/**
 * The namespace of the signer's log metrics, per environment: a metric filter cannot set a constant
 * dimension (only values read from the log event), so the environment is part of the namespace, and
 * two environments in one account and region never count each other's throttles.
 */
export const signerMetricNamespace = (envName: string): string => `Wallet/Signer/${envName}`;
