import { Logger } from '@aws-lambda-powertools/logger';
import { loadRemediationConfig } from './config';
import { createHandler } from './handler';
import { wireRemediation } from './wiring';

/**
 * The remediation Lambda (one per region, reserved concurrency 1), triggered by EventBridge
 * "CloudWatch Alarm State Change" events. Configuration and clients are set up once per container.
 * Its role needs no kms:Sign, no key or IAM change and no Route 53 permission (the IAM actions it
 * needs are listed in docs/runbooks/alarms.md, "Remediation").
 */
const logger = new Logger({ serviceName: 'wallet-remediation' });
const config = loadRemediationConfig(process.env);

export const handler = createHandler(
  wireRemediation(config, { log: (level, message, fields) => logger[level](message, fields) }),
);
