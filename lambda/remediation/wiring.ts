import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cloudWatchAlarmReader, failoverSwitch, kmsSigningAddresses, ledgerLeases, snsNotifier } from './adapters/aws';
import { ledgerAudit, ledgerClaims, ledgerFailoverBudget, ledgerRegionControl } from './adapters/ledger';
import { RemediationConfig } from './config';
import { RemediationDeps } from './handler';
import { WALLET_EVENT_UNDELIVERED_METRIC } from '../../lib/contract/status';
import { undeliveredMetricLogFields, WalletEventEmitter } from '../../lib/status/wallet-events';
import { announcingPorts } from './status-events';

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
  const statusEvents = statusEventEmitter(config, options.log, now);
  const changing = announcingPorts(
    {
      regionControl: ledgerRegionControl(store, now),
      leases: ledgerLeases(store, signingAddresses),
      switch: failoverSwitch(cloudwatchFor(config.standbyRegion), config.standbyRegion, config.envName),
      budget: ledgerFailoverBudget(store),
    },
    statusEvents,
    { envName: config.envName, region: config.region, now },
  );
  const queues = config.handOffQueues;
  const peerRegion = config.region === config.primaryRegion ? config.standbyRegion : config.primaryRegion;
  const sqsClients = new Map<string, SQSClient>();
  const sqsFor = (region: string): SQSClient => {
    const client = sqsClients.get(region) ?? new SQSClient({ region, maxAttempts: 3 });
    sqsClients.set(region, client);
    return client;
  };
  const handOff: RemediationDeps['handOff'] =
    queues === undefined
      ? undefined
      : {
          handOff: async (address, expectedEpoch, actor, runId) => {
            const r = await handOffStrandedWork({
              ledger: store,
              sqs: sqsFor(config.region),
              sqsForRegion: sqsFor,
              address,
              // Remediation only ever moves the lease to its own region: its queue is the holder's.
              queueUrlFor: (region) => {
                if (region !== config.region) {
                  throw new Error(
                    `the lease holder is ${region}, not ${config.region}; only wallet-ops hands work to another region`,
                  );
                }
                return queues.signingQueueUrl;
              },
              deadLetterQueues: [
                { region: peerRegion, url: queues.peerDeadLetterQueueUrl },
                { region: config.region, url: queues.deadLetterQueueUrl },
              ],
              actor,
              expectedEpoch,
              runId,
              now: now(),
            });
            return {
              holder: r.holder,
              epoch: r.epoch,
              fenced: r.fenced,
              fromDeadLetterQueues: r.fromDeadLetterQueues,
              requeued: r.requeued.length,
              ...(r.stoppedBecause !== undefined ? { stoppedBecause: r.stoppedBecause } : {}),
            };
          },
        };
  return {
    ...(handOff !== undefined ? { handOff } : {}),
    config,
    alarms: cloudWatchAlarmReader(cloudwatchFor),
    ...changing,
    statusEvents,
    claims: ledgerClaims(store, config.region),
    notifier: snsNotifier(new SNSClient({ region: config.region }), config.topicArn),
    audit: ledgerAudit(store, config.region),
    now,
    log: options.log,
  };
}

/**
 * The status-page events (lib/status/wallet-events.ts): both wallet regions' default buses, with
 * short timeouts (the region in trouble must not hold the invocation), and an undelivered event
 * logged as an Embedded Metric Format line, so CloudWatch counts it without another API call.
 */
function statusEventEmitter(
  config: RemediationConfig,
  log: RemediationDeps['log'],
  now: () => Date,
): WalletEventEmitter {
  const clients = new Map<string, EventBridgeClient>();
  return new WalletEventEmitter({
    regions: [config.primaryRegion, config.standbyRegion],
    client: (region) => {
      let client = clients.get(region);
      if (client === undefined) {
        client = new EventBridgeClient({
          region,
          maxAttempts: 1,
          requestHandler: { connectionTimeout: 2000, requestTimeout: 3000 },
        });
        clients.set(region, client);
      }
      return client;
    },
    log,
    onUndelivered: (outcome) =>
      log('error', 'status event undelivered (metric)', {
        ...undeliveredMetricLogFields(config.envName, outcome, now(), WALLET_EVENT_UNDELIVERED_METRIC),
      }),
  });
}
