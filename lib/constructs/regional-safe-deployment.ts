import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SIGNER_FAILURE_LOG_EVENT, SIGNER_FAILURES_METRIC } from '../contract/deployment';
import { signerMetricNamespace } from '../contract/observability';
import { TrafficShifting } from '../deploy/traffic-shifting';
import { DeployedFunction, SafeDeployment } from './safe-deployment';
import { SignerDeployCheck } from './signer-deploy-check';
import { WalletFunction } from './wallet-function';

/**
 * Health and remediation deploy all at once (with alarms and rollback on failure), never gradually:
 * - health is what Route 53's checkers and the canaries call. A canary split would answer 10% of
 *   checks with the new code: a broken version would fail a random tenth of checker requests, which
 *   neither trips the health check cleanly nor shows the fault, while a half-failing check is exactly
 *   the ambiguous signal failover must not run on. Health serves no user, so gradual shifting limits
 *   no blast radius; the protection is the region order instead: `deploy-code` updates the standby
 *   first, so a broken health version shows in the standby's canaries (and the SECONDARY check) and
 *   stops the deploy before the primary's check, which decides failover, sees it.
 * - remediation runs a few times a year, on alarms: a 10% slice for 5 minutes would almost never
 *   receive an event, so it would prove nothing and only delay the fix of a remediation bug.
 */
export const ALL_AT_ONCE: TrafficShifting = { kind: 'all-at-once' };

/** Props of {@link RegionalSafeDeployment}. */
export interface RegionalSafeDeploymentProps {
  /** The environment name (config `envName`). */
  readonly envName: string;
  /** The region's workload functions. */
  readonly functions: {
    readonly api: WalletFunction;
    readonly health: WalletFunction;
    readonly signer: WalletFunction;
    readonly remediation: WalletFunction;
    /**
     * The standby's failover-switch re-publisher (lib/constructs/switch-republisher.ts), deployed all at
     * once with alarms like remediation: it runs every few minutes and only acts while the switch is
     * thrown, so a 10% slice would prove nothing.
     * @default - none (the primary region has no re-publisher)
     */
    readonly switchRepublisher?: WalletFunction;
    /**
     * The chain watcher (lib/constructs/chain-watcher.ts), deployed all at once with alarms for the
     * same reason as the re-publisher (a scheduled job: a traffic slice proves nothing).
     * @default - none (no chain.providers configured)
     */
    readonly chainWatcher?: WalletFunction;
    /**
     * The sweeper (lib/constructs/sweeper.ts), all at once with alarms like the watcher (a scheduled job).
     * @default - none (no spending.cold configured)
     */
    readonly sweeper?: WalletFunction;
  };
  /** Traffic shifting of the API and the signer (config `deployment.api`, `deployment.signer`). */
  readonly shifting: { readonly api: TrafficShifting; readonly signer: TrafficShifting };
  /** The API's p99 latency budget (config `alarms.apiLatencyP99.thresholdMs`): the new API version's Duration must stay under it. */
  readonly apiLatencyBudgetMs: number;
  /** The health answer's latency budget (config `canary.maxLatencyMs`). */
  readonly healthLatencyBudgetMs: number;
  /** This region's signing key ARN (the pre-traffic hook reads its public key). */
  readonly signingKeyArn: string;
  /** The chain id the signer must sign for. */
  readonly chainId: number;
  /** This region's data key (the hook's logs and failure queue). */
  readonly dataKey: kms.IKey;
  /** On-call topic for the deploy alarms. */
  readonly topic: sns.ITopic;
}

/**
 * The safe-deploy wiring of one region: canary (by default) for the API and the signer, the signer's
 * pre-traffic hook, all at once with alarms for health and remediation.
 */
export class RegionalSafeDeployment extends Construct {
  public readonly deployment: SafeDeployment;
  public readonly signerCheck: SignerDeployCheck;

  constructor(scope: Construct, id: string, props: RegionalSafeDeploymentProps) {
    super(scope, id);
    const { api, health, signer, remediation } = props.functions;
    this.signerCheck = new SignerDeployCheck(this, 'SignerCheck', {
      envName: props.envName,
      signer,
      signingKeyArn: props.signingKeyArn,
      chainId: props.chainId,
      dataKey: props.dataKey,
    });
    /** 80% of the timeout: a version that nears its timeout at p99 is about to fail. */
    const nearTimeout = (fn: WalletFunction) => Math.round((fn.function.timeout?.toMilliseconds() ?? 3000) * 0.8);
    const functions: DeployedFunction[] = [
      { purpose: 'api', fn: api, shifting: props.shifting.api, p99DurationThresholdMs: props.apiLatencyBudgetMs },
      {
        purpose: 'signer',
        fn: signer,
        shifting: props.shifting.signer,
        p99DurationThresholdMs: nearTimeout(signer),
        failureLog: {
          logGroup: signer.logGroup,
          message: SIGNER_FAILURE_LOG_EVENT.message,
          metricNamespace: signerMetricNamespace(props.envName),
          metricName: SIGNER_FAILURES_METRIC,
        },
        preTrafficHook: this.signerCheck.function.function,
      },
      { purpose: 'health', fn: health, shifting: ALL_AT_ONCE, p99DurationThresholdMs: props.healthLatencyBudgetMs },
      {
        purpose: 'remediation',
        fn: remediation,
        shifting: ALL_AT_ONCE,
        p99DurationThresholdMs: nearTimeout(remediation),
      },
      ...(props.functions.switchRepublisher === undefined
        ? []
        : [
            {
              purpose: 'switch-republisher' as const,
              fn: props.functions.switchRepublisher,
              shifting: ALL_AT_ONCE,
              p99DurationThresholdMs: nearTimeout(props.functions.switchRepublisher),
            },
          ]),
      ...(props.functions.chainWatcher === undefined
        ? []
        : [
            {
              purpose: 'chain-watcher' as const,
              fn: props.functions.chainWatcher,
              shifting: ALL_AT_ONCE,
              p99DurationThresholdMs: nearTimeout(props.functions.chainWatcher),
            },
          ]),
      ...(props.functions.sweeper === undefined
        ? []
        : [
            {
              purpose: 'sweeper' as const,
              fn: props.functions.sweeper,
              shifting: ALL_AT_ONCE,
              p99DurationThresholdMs: nearTimeout(props.functions.sweeper),
            },
          ]),
    ];
    this.deployment = new SafeDeployment(this, 'Deployment', {
      envName: props.envName,
      functions,
      topic: props.topic,
    });
  }
}
