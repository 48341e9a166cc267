import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { rateSeconds, WalletConfig } from '../config/schema';
import { FaultExperiments, FaultExperimentsProps } from '../constructs/fault-experiments';
import { SloAlarms, SloAlarmsProps } from '../constructs/slo-alarms';
import { DNS_ALARM_REGION, dnsAlarmName, RegionalAlarmMap } from '../contract/alarms';
import { experimentsFor } from '../contract/chaos';
import { RegionRole } from '../contract/names';
import { RegionalObservability } from './regional-observability';
import { RegionalWallet } from '../constructs/regional-wallet';
import { sloSpecs } from '../slo/definitions';

/** Config -> props of the FIS experiments and the SLO alarms, beside the stacks (constructs never read config). */

/** What a regional stack knows that {@link faultExperimentsProps} turns into props. */
export interface FaultExperimentsWiring {
  readonly config: WalletConfig;
  readonly regionRole: RegionRole;
  readonly functions: FaultExperimentsProps['functions'];
  readonly tableArn: string;
  readonly dataKey: kms.IKey;
  readonly topic: sns.ITopic;
  readonly alarms: RegionalAlarmMap<cloudwatch.IAlarm>;
  readonly publicNameCanaryName: string;
  readonly dashboard?: cloudwatch.Dashboard;
}

/**
 * The experiments of one region from config, or undefined when none are defined there (chaos disabled, or
 * none targets this region). Harm alarms visible in this region: the standby's deep health (from the primary,
 * its peer probe; in the standby, its own canary) and, when this region is us-east-1, the Route 53 alarms
 * "standby endpoint unhealthy" and "both regions unhealthy". Elsewhere the Route 53 alarms cannot be stop
 * conditions (they exist only in us-east-1), so the chaos command watches them and stops the experiment.
 */
export function faultExperimentsProps(scope: Construct, w: FaultExperimentsWiring): FaultExperimentsProps | undefined {
  const { config } = w;
  if (!config.chaos.enabled) return undefined;
  const experiments = experimentsFor(config.data.consistency).filter((e) => e.regionRole === w.regionRole);
  if (experiments.length === 0) return undefined;
  const stack = Stack.of(scope);
  const harmAlarms: cloudwatch.IAlarm[] = [
    w.regionRole === 'primary' ? w.alarms.peerDeepHealth : w.alarms.deepHealthCanary,
  ];
  if (stack.region === DNS_ALARM_REGION) {
    for (const kind of ['standbyEndpointUnhealthy', 'bothRegionsUnhealthy'] as const) {
      harmAlarms.push(
        cloudwatch.Alarm.fromAlarmArn(
          scope,
          `Harm${kind[0].toUpperCase()}${kind.slice(1)}`,
          stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: dnsAlarmName(config.envName, kind),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      );
    }
  }
  return {
    envName: config.envName,
    experiments,
    functions: w.functions,
    tableArn: w.tableArn,
    dataKey: w.dataKey,
    harmAlarms,
    publicNameCanaryName: w.publicNameCanaryName,
    canaryPeriodSeconds: rateSeconds(config.canary.schedule),
    rtoSeconds: config.targets.rtoSeconds,
    topic: w.topic,
    dashboard: w.dashboard,
  };
}

/** The SLO alarms of a region from config: latency threshold and sign bound from the canary settings. */
export function sloAlarmsProps(
  config: WalletConfig,
  api: { readonly apiName: string; readonly stageName: string },
  topic: sns.ITopic,
): SloAlarmsProps {
  return {
    envName: config.envName,
    slos: sloSpecs({ latencyThresholdMs: config.canary.maxLatencyMs, signBoundMs: config.canary.signBoundMs }),
    apiName: api.apiName,
    stageName: api.stageName,
    topic,
  };
}

/** What a regional stack passes to {@link addChaosAndSlo}: the same in both regions but for the role and table. */
export interface ChaosAndSloWiring {
  readonly config: WalletConfig;
  readonly regionRole: RegionRole;
  readonly wallet: RegionalWallet;
  readonly observability: RegionalObservability;
  /** ARN of this region's ledger table replica. */
  readonly tableArn: string;
  readonly dataKey: kms.IKey;
  readonly topic: sns.ITopic;
}

/**
 * The SLO alarms (`Slo`) and, when config defines any for this region, the FIS experiments
 * (`FaultExperiments`) of a regional stack: one wiring for the primary and the standby. The construct ids
 * are the stacks' own (scope is the stack), so templates do not change with this helper.
 */
export function addChaosAndSlo(
  stack: Stack,
  w: ChaosAndSloWiring,
): { readonly slo: SloAlarms; readonly faultExperiments?: FaultExperiments } {
  const slo = new SloAlarms(
    stack,
    'Slo',
    sloAlarmsProps(
      w.config,
      { apiName: w.wallet.api.restApi.restApiName, stageName: w.wallet.api.stage.stageName },
      w.topic,
    ),
  );
  const props = faultExperimentsProps(stack, {
    config: w.config,
    regionRole: w.regionRole,
    functions: w.wallet.functions,
    tableArn: w.tableArn,
    dataKey: w.dataKey,
    topic: w.topic,
    alarms: w.observability.alarms.alarms,
    publicNameCanaryName: w.observability.canaries.canaries['public-name'].canaryName,
    dashboard: w.observability.dashboard.dashboard,
  });
  return {
    slo,
    faultExperiments: props === undefined ? undefined : new FaultExperiments(stack, 'FaultExperiments', props),
  };
}
