import { RegionRole } from '../../contract/names';

/** The simulated world's state types and identities, shared by the physics (./world.ts) and the wire format (./wire.ts). */
export interface Checker {
  readonly region: string;
  readonly ip: string;
  reportsHealthy: boolean;
  consecutive: number;
  lastHealthy?: boolean;
  lastCheckedAt?: number;
}

export interface MetricPoint {
  readonly at: number;
  readonly value: number;
}

export interface SimAlarm {
  readonly name: string;
  readonly region: string;
  readonly composite: boolean;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  updatedAt: number;
}

/** One region's copy of a multi-Region KMS key (independent properties: its state). */
export interface SimKeyCopy {
  enabled: boolean;
  keyState: string;
  /** DER SubjectPublicKeyInfo (asymmetric keys); the same in every copy unless a test breaks it. */
  publicKeySpki?: Buffer;
}

/**
 * A multi-Region KMS key as KMS keeps it: one key id, one primary Region, a copy per Region, and an
 * UpdatePrimaryRegion in progress (both copies `Updating` until it completes, KMS developer guide).
 */
export interface SimMultiRegionKey {
  readonly alias: string;
  readonly keyId: string;
  readonly keySpec: 'ECC_SECG_P256K1' | 'SYMMETRIC_DEFAULT';
  readonly keyUsage: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT';
  primaryRegion: string;
  readonly copies: Map<string, SimKeyCopy>;
  updating?: { readonly from: string; readonly to: string; readonly completesAt: number };
}

export type HealthCheckKey =
  'primaryEndpoint' | 'standbyEndpoint' | 'failoverSwitch' | 'primaryRecord' | 'primaryLease';

/** The ids Route 53 reports for the health checks (five with the lease-following check). */
export const HC_IDS: Record<HealthCheckKey, string> = {
  primaryEndpoint: '0b7e7c6a-0001-4e5a-9d3e-5e1f0c2b1a01',
  standbyEndpoint: '0b7e7c6a-0002-4e5a-9d3e-5e1f0c2b1a02',
  failoverSwitch: '0b7e7c6a-0003-4e5a-9d3e-5e1f0c2b1a03',
  primaryRecord: '0b7e7c6a-0004-4e5a-9d3e-5e1f0c2b1a04',
  primaryLease: '0b7e7c6a-0005-4e5a-9d3e-5e1f0c2b1a05',
};

/** Documentation address ranges (RFC 5737) for each region's API. */
export const REGION_IPS: Record<RegionRole, string[]> = {
  primary: ['198.51.100.10', '198.51.100.11'],
  standby: ['203.0.113.20', '203.0.113.21'],
};

export type Dim = { Name?: string; Value?: string };

/** The key of one metric stream: namespace, name and its dimensions in a stable order. */
export function metricKey(namespace: string, name: string, dims: readonly Dim[]): string {
  const d = [...dims]
    .map((x) => `${x.Name}=${x.Value}`)
    .sort()
    .join(',');
  return `${namespace}|${name}|${d}`;
}
