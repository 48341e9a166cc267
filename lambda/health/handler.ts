import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  DEEP_HEALTH_PATH,
  HEALTH_PATH,
  HEALTH_SEARCH_STRING,
  HealthBody,
  LEASE_HELD_QUERY,
} from '../../lib/contract/health';
import type { HealthEnv } from '../shared/env';
import { RouteNotFoundError } from '../shared/errors';
import { errorResponse } from '../shared/http';
import type { KmsSigningKey } from '../shared/kms-signer';
import { readLease, type Lease } from '../../lib/failover/lease';
import { readRegionControl, RegionControl } from '../../lib/failover/region-control';
import { Ledger } from '../shared/ledger';
import type { Logger } from '../shared/logger';

/**
 * `GET /health`: cheap liveness for Route 53 string matching, plus this region's live role.
 * `GET /health/deep`: table, signing key and lease checks for canaries and the drill's pre-checks.
 * `GET /health?lease=held` (the PRIMARY record's Route 53 check only, lib/contract/health.ts): the
 * same, and unhealthy while this region's replica shows the lease held by another region, so moving
 * the lease fails the primary record within interval x threshold. Its three cases:
 * - lease held elsewhere: 503, `"healthy":false`, with the holder and epoch (the planned path);
 * - lease not readable: 503, as plain `/health` already answers (a region that cannot read its
 *   ledger cannot serve; this is no new way to fail);
 * - no lease item yet (before initLease): healthy. Nobody signs before initLease, and failing the
 *   primary then would only move traffic to a standby that holds no lease either.
 * Under MREC the read is the local replica's (ConsistentRead is strong within a region only), so the
 * move shows here after replication lag; a partitioned replica keeps answering healthy and the
 * planned failover then waits for the switch, the path that needs no answer from the primary at all.
 *
 * Role: `degraded` while the region's degraded-mode flag is on, else `active` if this region holds
 * the signer lease, else `standby`.
 *
 * Degraded mode makes NEITHER endpoint unhealthy: it is a deliberate fail-closed posture for intake
 * (set by an operator or by remediation), not a failed dependency, and moving traffic is the
 * failover switch's job. If it failed `/health/deep`, the deep-health canary would alarm, feed the
 * `region-impaired` composite and the standby's failover rule (lib/contract/remediation.ts): an
 * operator suspending withdrawals would trigger an automatic failover, and a degraded mode set by
 * remediation could never be lifted. `/health/deep` reports it in `role` and `checks.degradedMode`
 * (ok, with its reason) so a drill can still refuse to move the lease into a degraded region.
 */
export type LiveRole = 'active' | 'standby' | 'degraded';

export interface HealthDeps {
  readonly env: HealthEnv;
  readonly ledger: Ledger;
  /** This region's signing key; GetPublicKey cached with a short TTL. */
  readonly key: KmsSigningKey;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export type HealthHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

interface Check {
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: Error; ms: number }> {
  const start = process.hrtime.bigint();
  try {
    const value = await fn();
    return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
  } catch (err) {
    return { error: err as Error, ms: Number(process.hrtime.bigint() - start) / 1e6 };
  }
}

const describe = (err: Error): string => `${err.name}: ${err.message}`;

function liveRole(control: RegionControl, lease: Lease | undefined, region: string): LiveRole {
  if (control.degraded) return 'degraded';
  return lease?.activeRegion === region ? 'active' : 'standby';
}

/** What follows `healthy` in a health body (lib/contract/health.ts HealthBody, plus our extras). */
type HealthRest = Omit<HealthBody, 'healthy'> & Record<string, unknown>;

/** Health bodies start with the marker Route 53 matches, so it always sits in the first bytes. */
function healthBody(healthy: boolean, rest: HealthRest): string {
  const marker = healthy ? HEALTH_SEARCH_STRING : '"healthy":false';
  return `{${marker},${JSON.stringify(rest).slice(1)}`;
}

function healthResponse(healthy: boolean, rest: HealthRest): APIGatewayProxyResult {
  return {
    statusCode: healthy ? 200 : 503,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: healthBody(healthy, rest),
  };
}

export function createHealthHandler(deps: HealthDeps): HealthHandler {
  const { env, ledger, key, logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function shallow(leaseHeld: boolean): Promise<APIGatewayProxyResult> {
    const checkedAt = now().toISOString();
    try {
      const { address } = await key.publicKey();
      const [control, lease] = await Promise.all([
        readRegionControl(ledger, env.region),
        readLease({ ddb: ledger.ddb, tableName: ledger.tableName }, address),
      ]);
      if (leaseHeld && lease !== undefined && lease.activeRegion !== env.region) {
        return healthResponse(false, {
          region: env.region,
          role: liveRole(control, lease, env.region),
          configuredRole: env.regionRole,
          leaseEpoch: lease.epoch,
          reasons: [`the signer lease is held by ${lease.activeRegion} at epoch ${lease.epoch}, not by ${env.region}`],
          checkedAt,
        });
      }
      return healthResponse(true, {
        region: env.region,
        role: liveRole(control, lease, env.region),
        configuredRole: env.regionRole,
        ...(lease !== undefined ? { leaseEpoch: lease.epoch } : {}),
        checkedAt,
      });
    } catch (err) {
      logger.error('shallow health failed', { error: err as Error });
      return healthResponse(false, { region: env.region, reasons: [describe(err as Error)], checkedAt });
    }
  }

  async function deep(): Promise<APIGatewayProxyResult> {
    const checkedAt = now().toISOString();
    const reasons: string[] = [];
    const [table, signingKey] = await Promise.all([
      timed(() => readRegionControl(ledger, env.region, true)),
      timed(() => key.publicKey()),
    ]);
    const checks: Record<string, Check> = {};

    checks.table = table.error
      ? { ok: false, ms: table.ms, detail: describe(table.error) }
      : { ok: true, ms: table.ms, detail: `read ${ledger.tableName}` };
    if (table.error) reasons.push(`ledger table ${ledger.tableName} is not readable (${describe(table.error)})`);

    if (signingKey.error || signingKey.value === undefined) {
      const detail = signingKey.error ? describe(signingKey.error) : 'no key';
      checks.signingKey = { ok: false, ms: signingKey.ms, detail };
      reasons.push(`signing key ${env.signingKeyArn} is not usable (${detail})`);
    } else if (signingKey.value.keyUsage !== undefined && signingKey.value.keyUsage !== 'SIGN_VERIFY') {
      const detail = `key usage is ${signingKey.value.keyUsage}, not SIGN_VERIFY`;
      checks.signingKey = { ok: false, ms: signingKey.ms, detail };
      reasons.push(`signing key ${env.signingKeyArn}: ${detail}`);
    } else {
      checks.signingKey = { ok: true, ms: signingKey.ms, detail: `address ${signingKey.value.address}` };
    }

    let role: LiveRole | undefined;
    if (signingKey.value !== undefined) {
      const address = signingKey.value.address;
      const lease = await timed(() => readLease({ ddb: ledger.ddb, tableName: ledger.tableName }, address));
      if (lease.error) {
        checks.lease = { ok: false, ms: lease.ms, detail: describe(lease.error) };
        reasons.push(`the signer lease for ${address} is not readable (${describe(lease.error)})`);
      } else if (lease.value === undefined) {
        checks.lease = { ok: false, ms: lease.ms, detail: 'no lease' };
        reasons.push(`no signer lease exists for ${address}; create it (initLease) before taking traffic`);
      } else {
        const l = lease.value;
        const holds = l.activeRegion === env.region;
        const unreconciled = holds && env.consistency === 'MREC' && l.reconciledEpoch !== l.epoch;
        checks.lease = {
          ok: !unreconciled,
          ms: lease.ms,
          detail: `held by ${l.activeRegion} at epoch ${l.epoch}${unreconciled ? ' (nonces not reconciled since the lease moved)' : ''}`,
        };
        if (unreconciled) {
          reasons.push(
            `this region holds the lease at epoch ${l.epoch} but its nonces were not reconciled with the chain (MREC); ` +
              'follow docs/runbooks/unplanned-failover-mrec.md',
          );
        }
        if (table.value !== undefined) role = liveRole(table.value, l, env.region);
      }
    }
    if (table.value?.degraded) {
      // Informational (see the module comment): intake is suspended on purpose, nothing is broken.
      checks.degradedMode = {
        ok: true,
        ms: 0,
        detail: `ON since ${table.value.updatedAt ?? '?'} (set by ${table.value.setBy ?? 'unknown'}): ${table.value.reason ?? 'no reason recorded'}; new transactions are refused`,
      };
    } else if (table.value !== undefined) {
      checks.degradedMode = { ok: true, ms: 0, detail: 'off' };
    }
    const healthy = reasons.length === 0;
    if (!healthy) logger.warn('deep health impaired', { reasons });
    return healthResponse(healthy, {
      region: env.region,
      ...(role !== undefined ? { role } : {}),
      configuredRole: env.regionRole,
      consistency: env.consistency,
      checks,
      ...(healthy ? {} : { reasons }),
      checkedAt,
    });
  }

  return async (event) => {
    // The resource when API Gateway names ours; the path behind a greedy {proxy+} resource.
    const path = event.resource === HEALTH_PATH || event.resource === DEEP_HEALTH_PATH ? event.resource : event.path;
    if (event.httpMethod === 'GET' && path === HEALTH_PATH) {
      return shallow(event.queryStringParameters?.[LEASE_HELD_QUERY.name] === LEASE_HELD_QUERY.value);
    }
    if (event.httpMethod === 'GET' && path === DEEP_HEALTH_PATH) return deep();
    return errorResponse(new RouteNotFoundError(event.httpMethod, event.path), event.requestContext?.requestId);
  };
}
