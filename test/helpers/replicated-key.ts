import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { MotoServer } from './moto';

/**
 * A multi-region secp256k1 signing key in moto: primary in `primary`, replica in `standby`.
 * Returns each region's key ARN (same `mrk-` id) and the wallet address both sign for.
 */
export async function replicatedSigningKey(
  moto: MotoServer,
  primary: string,
  standby: string,
): Promise<{ keyArns: Record<string, string>; address: string }> {
  const kms = new KMSClient(moto.clientConfig(primary));
  const created = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
  );
  await kms.send(new ReplicateKeyCommand({ KeyId: created.KeyMetadata!.KeyId!, ReplicaRegion: standby }));
  const arn = created.KeyMetadata!.Arn!;
  const address = (await new KmsSigningKey(kms, arn).publicKey()).address;
  return { keyArns: { [primary]: arn, [standby]: arn.replace(`:${primary}:`, `:${standby}:`) }, address };
}
