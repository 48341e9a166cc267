import { WalletConfig } from '../config/schema';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
  SwitchPosition,
  switchValue,
} from '../contract/failover-switch';
import { publicApiDomain } from '../contract/health';
import { ledgerKeys } from '../contract/ledger';
import { ledgerTableName } from '../contract/names';

/**
 * The AWS CLI equivalents of the drill's actions (docs/runbooks/manual-failover.md), filled in with
 * this environment's values, for the plan and for the manual steps printed when a restore fails.
 */
const q = (value: unknown): string => `'${JSON.stringify(value)}'`;

export function switchCommand(config: WalletConfig, position: SwitchPosition): string {
  const data = [
    {
      MetricName: FAILOVER_SWITCH_METRIC,
      Dimensions: failoverSwitchDimensions(config.envName),
      Value: switchValue(position),
      Unit: 'None',
      StorageResolution: 60,
    },
  ];
  return `aws cloudwatch put-metric-data --region ${config.regions.standby} --namespace ${FAILOVER_SWITCH_NAMESPACE} --metric-data ${q(data)}`;
}

function leaseKeyJson(address: string) {
  const key = ledgerKeys.lease(address);
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

export function leaseReadCommand(config: WalletConfig, region: string, address: string): string {
  return `aws dynamodb get-item --region ${region} --table-name ${ledgerTableName(config.envName)} --consistent-read --key ${q(leaseKeyJson(address))}`;
}

export interface LeaseMoveCommand {
  readonly region: string;
  readonly address: string;
  readonly fromRegion: string;
  readonly toRegion: string;
  /** The epoch the lease is at now (read it first). */
  readonly epoch: number;
  readonly reason: string;
}

export function leaseMoveCommand(config: WalletConfig, m: LeaseMoveCommand): string {
  const values = {
    ':to': { S: m.toRegion },
    ':next': { N: String(m.epoch + 1) },
    ':seen': { N: String(m.epoch) },
    ':from': { S: m.fromRegion },
    ':at': { S: '<now, ISO 8601 UTC>' },
    ':by': { S: '<your name or role ARN>' },
    ':why': { S: m.reason },
  };
  return [
    `aws dynamodb update-item --region ${m.region} --table-name ${ledgerTableName(config.envName)}`,
    `--key ${q(leaseKeyJson(m.address))}`,
    `--update-expression 'SET activeRegion = :to, epoch = :next, updatedAt = :at, updatedBy = :by, reason = :why'`,
    `--condition-expression 'epoch = :seen AND activeRegion = :from'`,
    `--expression-attribute-values ${q(values)}`,
  ].join(' \\\n    ');
}

export function verifyCommands(config: WalletConfig): string[] {
  return [
    `aws cloudwatch describe-alarms --region ${config.regions.standby} --alarm-names ${failoverSwitchAlarmName(config.envName)} --query 'MetricAlarms[0].StateValue'`,
    `aws route53 test-dns-answer --hosted-zone-id ${config.dns.zoneId} --record-name ${publicApiDomain(config.dns.apiSubdomain, config.dns.zoneName)} --record-type A`,
  ];
}
