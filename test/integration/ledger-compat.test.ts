import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_SCHEMA, ledgerIndexKeys, ledgerKeys } from '../../lib/contract/ledger';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { initLease } from '../../lib/failover/lease';
import { createTransaction, getTransaction, Ledger, putWallet, TransactionRecord } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { requestHash } from '../../lambda/shared/tx-request';
import { createSigner } from '../../lambda/signer/handler';
import { createLedgerTable } from '../helpers/ledger-table';
import { sharedMoto } from '../helpers/moto';

/**
 * Data compatibility across a rollback (docs/data-model.md, "Schema versions and rollback"): items
 * carry their schema version, and this release's readers and writers handle an item a NEWER release
 * wrote (an attribute they do not know, a higher schema version) as if it were their own, and keep
 * the attribute they do not know.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 11155111;
let ledger: Ledger;
let address: string;
let signer: ReturnType<typeof createSigner>;

const tx = (txId: string): TransactionRecord => {
  const request = {
    to: '0x4444444444444444444444444444444444444444',
    value: '1',
    gasLimit: '21000',
    maxFeePerGas: '25000000000',
    maxPriorityFeePerGas: '1500000000',
    chainId: CHAIN_ID,
  };
  const at = new Date().toISOString();
  return {
    walletId: 'w-compat',
    txId,
    address,
    status: 'queued',
    request,
    requestHash: requestHash(request),
    idempotencyKey: `k-${txId}`,
    intakeRegion: REGION,
    createdAt: at,
    updatedAt: at,
  };
};

const raw = async (walletId: string, txId: string) =>
  (await ledger.ddb.send(new GetCommand({ TableName: ledger.tableName, Key: ledgerKeys.transaction(walletId, txId) })))
    .Item!;

beforeAll(async () => {
  const moto = await sharedMoto();
  const kms = new KMSClient(moto.clientConfig(REGION));
  const keyArn = (
    await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
  ).KeyMetadata!.Arn!;
  const key = new KmsSigningKey(kms, keyArn);
  address = (await key.publicKey()).address;
  ledger = await createLedgerTable(moto.clientConfig(REGION), 'compat-ledger');
  await putWallet(ledger, { walletId: 'w-compat', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  signer = createSigner({
    env: { region: REGION, tableName: ledger.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key,
    logger: silentLogger(),
  });
});

test('every item this release creates carries the schema version; records returned to code do not', async () => {
  // Act
  await createTransaction(ledger, tx('tx-v1'));
  // Assess
  expect((await raw('w-compat', 'tx-v1'))[LEDGER_SCHEMA.attribute]).toBe(LEDGER_SCHEMA.current);
  expect(await getTransaction(ledger, 'w-compat', 'tx-v1')).not.toHaveProperty(LEDGER_SCHEMA.attribute);
  const wallet = await ledger.ddb.send(
    new GetCommand({ TableName: ledger.tableName, Key: ledgerKeys.wallet('w-compat') }),
  );
  expect(wallet.Item![LEDGER_SCHEMA.attribute]).toBe(LEDGER_SCHEMA.current);
});

test('an item written by a newer release (unknown attribute, schema version + 1) is read, signed and kept intact', async () => {
  // Prepare: what release N+1 (rolled back since) wrote: an attribute this release does not know.
  const future = tx('tx-from-n-plus-1');
  await ledger.ddb.send(
    new PutCommand({
      TableName: ledger.tableName,
      Item: {
        ...ledgerKeys.transaction(future.walletId, future.txId),
        ...ledgerIndexKeys.txByStatus(future.address, future.status, future.createdAt, future.txId),
        ...future,
        [LEDGER_SCHEMA.attribute]: LEDGER_SCHEMA.current + 1,
        feePolicy: { strategy: 'eip1559-bump', capMultiplier: 5 },
      },
    }),
  );
  // Act: this release's signer processes it.
  const outcome = await signer.processMessage(JSON.stringify({ walletId: future.walletId, txId: future.txId }));
  // Assess: signed like any transaction, and the newer release's attribute survived the updates.
  expect(outcome).toBe('signed');
  const item = await raw(future.walletId, future.txId);
  expect(item.status).toBe('signed');
  expect(item.feePolicy).toEqual({ strategy: 'eip1559-bump', capMultiplier: 5 });
  expect(item[LEDGER_SCHEMA.attribute]).toBe(LEDGER_SCHEMA.current + 1);
});
