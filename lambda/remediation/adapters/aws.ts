import { createPublicKey } from 'node:crypto';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { bytesToHex, keccak256 } from 'viem/utils';
import { NOTIFY_SEVERITY_ATTRIBUTE } from '../../../lib/contract/remediation';
import { throwSwitch } from '../../../lib/failover/switch';
import { LeaseStore, moveLease, readLease } from '../../../lib/failover/lease';
import { alarmKey, AlarmReader, LeasePort, Notifier, ObservedAlarmState, SwitchPort } from '../ports';

/** DescribeAlarms in every region named, each bounded in time; an unreadable region is UNKNOWN. */
export function cloudWatchAlarmReader(clientFor: (region: string) => CloudWatchClient, timeoutMs = 4000): AlarmReader {
  return {
    async read(groups) {
      const byRegion = new Map<string, Set<string>>();
      for (const g of groups) {
        const names = byRegion.get(g.region) ?? new Set<string>();
        g.alarmNames.forEach((n) => names.add(n));
        byRegion.set(g.region, names);
      }
      const states: Record<string, ObservedAlarmState> = {};
      const readErrors: Record<string, string> = {};
      await Promise.all(
        [...byRegion].map(async ([region, names]) => {
          const list = [...names];
          try {
            const found = new Map<string, ObservedAlarmState>();
            // DescribeAlarms takes at most 100 names per call.
            for (let i = 0; i < list.length; i += 100) {
              const res = await clientFor(region).send(
                new DescribeAlarmsCommand({
                  AlarmNames: list.slice(i, i + 100),
                  AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
                }),
                { abortSignal: AbortSignal.timeout(timeoutMs) },
              );
              for (const a of [...(res.MetricAlarms ?? []), ...(res.CompositeAlarms ?? [])]) {
                if (a.AlarmName !== undefined && a.StateValue !== undefined) {
                  found.set(a.AlarmName, a.StateValue as ObservedAlarmState);
                }
              }
            }
            for (const n of list) states[alarmKey(region, n)] = found.get(n) ?? 'MISSING';
          } catch (err) {
            readErrors[region] = `${(err as Error).name}: ${(err as Error).message}`;
            for (const n of list) states[alarmKey(region, n)] = 'UNKNOWN';
          }
        }),
      );
      return { states, readErrors };
    },
  };
}

/** The failover switch in the standby region (lib/failover/switch.ts: one PutMetricData). */
export function failoverSwitch(cloudwatch: CloudWatchClient, standbyRegion: string, envName: string): SwitchPort {
  return {
    throwOn: (reason) => throwSwitch({ cloudwatch, region: standbyRegion, envName, position: 'on', reason }),
  };
}

export function snsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(severity, subject, message) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          // SNS e-mail subjects: at most 100 printable ASCII characters.
          Subject: subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100),
          Message: message,
          MessageAttributes: { [NOTIFY_SEVERITY_ATTRIBUTE]: { DataType: 'String', StringValue: severity } },
        }),
      );
    },
  };
}

/**
 * The Ethereum address of the signing key: keccak256 of the uncompressed public point, last 20
 * bytes. Read with kms:GetPublicKey (remediation may never sign), once per container.
 */
export function kmsSigningAddresses(kms: KMSClient, keyArn: string): () => Promise<string[]> {
  let cached: Promise<string[]> | undefined;
  return () => {
    cached ??= (async () => {
      const res = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
      if (res.PublicKey === undefined) throw new Error(`kms:GetPublicKey returned no public key for ${keyArn}`);
      const jwk = createPublicKey({ key: Buffer.from(res.PublicKey), format: 'der', type: 'spki' }).export({
        format: 'jwk',
      });
      if (jwk.crv !== 'secp256k1' || jwk.x === undefined || jwk.y === undefined) {
        throw new Error(
          `${keyArn} is not a secp256k1 key (curve ${String(jwk.crv)}); it cannot be a wallet signing key`,
        );
      }
      const point = Buffer.concat([Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
      return [`0x${keccak256(bytesToHex(point)).slice(-40)}`];
    })().catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

/** Leases through lib/failover/lease.ts (strongly consistent reads, epoch-fenced moves, audit item). */
export function ledgerLeases(store: LeaseStore, addresses: () => Promise<string[]>): LeasePort {
  return {
    async leases() {
      const list = await addresses();
      const leases = await Promise.all(list.map((a) => readLease(store, a)));
      return leases
        .filter((l) => l !== undefined)
        .map((l) => ({
          address: l.address,
          activeRegion: l.activeRegion,
          epoch: l.epoch,
          updatedBy: l.updatedBy,
          updatedAt: l.updatedAt,
        }));
    },
    move: (request) =>
      moveLease(store, {
        address: request.address,
        toRegion: request.toRegion,
        actor: request.actor,
        reason: request.reason,
        expectedEpoch: request.expectedEpoch,
        isTargetHealthy: request.isTargetHealthy,
      }),
  };
}
