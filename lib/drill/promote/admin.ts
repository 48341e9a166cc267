import { DescribeKeyCommand, GetPublicKeyCommand, UpdatePrimaryRegionCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CallRecord, DrillClients } from '../clients';
import { isCredentialsError } from '../target';

/**
 * What `wallet-drill promote-keys` asks of AWS: four commands, behind one small port so the run
 * (./run.ts) is the same against AWS, moto and the simulated AWS. The adapter below sends them through
 * the drill's guarded clients (lib/drill/clients.ts) created with `breakGlass: true`, the only clients
 * that may send UpdatePrimaryRegion.
 */

/** One region's copy of a multi-Region key, as DescribeKey shows it. */
export interface KeyCopy {
  readonly region: string;
  readonly keyId: string;
  readonly arn?: string;
  readonly enabled: boolean;
  readonly keyState: string;
  readonly keySpec?: string;
  readonly multiRegion: boolean;
  readonly type?: string;
  /** The primary key's region as this copy reports it (stale while an update runs). */
  readonly primaryRegion?: string;
  readonly replicaRegions: readonly string[];
}

/** Why a read failed: the key (or alias) is not there, the region did not answer, or another error. */
export type ReadFailure = 'not-found' | 'unreachable' | 'error';

export interface ReadError {
  readonly ok: false;
  readonly failure: ReadFailure;
  readonly error: string;
}
export type Read<T> = { readonly ok: true; readonly value: T } | ReadError;

export interface KeyAdmin {
  /** STS GetCallerIdentity. */
  callerArn(): Promise<Read<{ arn: string; account?: string }>>;
  describeKey(region: string, keyId: string): Promise<Read<KeyCopy>>;
  /** GetPublicKey: the DER SubjectPublicKeyInfo. */
  publicKey(region: string, keyId: string): Promise<Read<Uint8Array>>;
  /**
   * UpdatePrimaryRegion, sent to the CURRENT primary key's region: the API reference's `KeyId`
   * "Identifies the current primary key", and the caller needs kms:UpdatePrimaryRegion "on the current
   * primary key (in the primary key's Region)" and "on the current replica key (in the replica key's
   * Region)". Rejects with the SDK error.
   */
  updatePrimaryRegion(currentPrimaryRegion: string, keyId: string, newPrimaryRegion: string): Promise<void>;
  /** Every command sent, in order (the report's audit trail). */
  readonly calls: readonly CallRecord[];
}

/** Classifies a failed read: NotFoundException, a region that does not answer, or anything else. */
export function readFailure(err: unknown): ReadError {
  const e = err as { name?: string; message?: string; code?: string };
  const message = `${e?.name ?? 'Error'}: ${(e?.message ?? String(err)).split('\n')[0]}`;
  if (e?.name === 'NotFoundException') return { ok: false, failure: 'not-found', error: message };
  const network = ['TimeoutError', 'RequestTimeout', 'NetworkingError'];
  const codes = ['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'];
  if (network.includes(e?.name ?? '') || codes.includes(e?.code ?? '') || /ETIMEDOUT|ECONNREFUSED/.test(message)) {
    return { ok: false, failure: 'unreachable', error: message };
  }
  return { ok: false, failure: 'error', error: message };
}

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (isCredentialsError(err)) throw err;
    return readFailure(err);
  }
}

/** The port over the drill's clients (real AWS, moto_server, or the simulated AWS through its middleware). */
export function kmsKeyAdmin(clients: DrillClients): KeyAdmin {
  return {
    calls: clients.calls,
    // No credentials at all is a refusal like any other caller: the break-glass check says what is needed.
    callerArn: async () => {
      try {
        const out = await clients.sts.send(new GetCallerIdentityCommand({}));
        return { ok: true, value: { arn: out.Arn ?? '', account: out.Account } };
      } catch (err) {
        return readFailure(err);
      }
    },
    describeKey: (region, keyId) =>
      read(async () => {
        const out = await clients.kms(region).send(new DescribeKeyCommand({ KeyId: keyId }));
        const m = out.KeyMetadata;
        const mrc = m?.MultiRegionConfiguration;
        return {
          region,
          keyId: m?.KeyId ?? keyId,
          arn: m?.Arn,
          enabled: m?.Enabled === true,
          keyState: m?.KeyState ?? 'unknown',
          keySpec: m?.KeySpec,
          multiRegion: m?.MultiRegion === true,
          type: mrc?.MultiRegionKeyType,
          primaryRegion: mrc?.PrimaryKey?.Region,
          replicaRegions: (mrc?.ReplicaKeys ?? []).flatMap((k) => (k.Region === undefined ? [] : [k.Region])),
        };
      }),
    publicKey: (region, keyId) =>
      read(async () => {
        const out = await clients.kms(region).send(new GetPublicKeyCommand({ KeyId: keyId }));
        if (out.PublicKey === undefined) throw new Error(`GetPublicKey in ${region} returned no public key`);
        return out.PublicKey;
      }),
    updatePrimaryRegion: async (currentPrimaryRegion, keyId, newPrimaryRegion) => {
      await clients
        .kms(currentPrimaryRegion)
        .send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: newPrimaryRegion }));
    },
  };
}
