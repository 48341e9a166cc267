import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cloudWatchAlarmReader, failoverSwitch, kmsSigningAddresses, ledgerLeases, snsNotifier } from './adapters/aws';
import { ledgerAudit, ledgerClaims, ledgerFailoverBudget, ledgerRegionControl } from './adapters/ledger';
import { RemediationConfig } from './config';
import { RemediationDeps } from './handler';

/**
 * Builds the production dependencies: AWS SDK clients (at module scope in index.ts) behind the
 * ports. Tests call it too, with aws-sdk-client-mock on the client classes.
 */
export function wireRemediation(
  config: RemediationConfig,
  options: { readonly log: RemediationDeps['log']; readonly now?: () => Date },
): RemediationDeps {
  // Reads of other regions' alarms must not hang when that region is the one in trouble.
  const cloudwatchClients = new Map<string, CloudWatchClient>();
  const cloudwatchFor = (region: string): CloudWatchClient => {
    let client = cloudwatchClients.get(region);
    if (client === undefined) {
      client = new CloudWatchClient({
        region,
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 2000, requestTimeout: 3000 },
      });
      cloudwatchClients.set(region, client);
    }
    return client;
  };
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = { ddb, tableName: config.tableName };
  const signingAddresses =
    config.signingKeyArn !== undefined
      ? kmsSigningAddresses(new KMSClient({ region: config.region }), config.signingKeyArn)
      : async (): Promise<string[]> => [];
  const now = options.now ?? (() => new Date());
  return {
    config,
    alarms: cloudWatchAlarmReader(cloudwatchFor),
    regionControl: ledgerRegionControl(store, now),
    leases: ledgerLeases(store, signingAddresses),
    switch: failoverSwitch(cloudwatchFor(config.standbyRegion), config.standbyRegion, config.envName),
    budget: ledgerFailoverBudget(store),
    claims: ledgerClaims(store, config.region),
    notifier: snsNotifier(new SNSClient({ region: config.region }), config.topicArn),
    audit: ledgerAudit(store, config.region),
    now,
    log: options.log,
  };
}
