import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ledgerRegionControl } from '../../lambda/remediation/adapters/ledger';
import {
  DegradedModeConflictError,
  enterDegradedMode,
  leaveDegradedMode,
  readRegionControl,
} from '../../lib/failover/region-control';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Both writers of the region-control item (the operator's setter and the remediation Lambda's
 * adapter) against moto_server, with the faults the rule must survive: a response lost after the
 * write landed (the SDK's own retry then meets our write), and another writer between our read
 * and our write.
 */
const REGION = 'us-east-2';
let moto: MotoServer;
let tables = 0;

beforeAll(async () => {
  moto = await sharedMoto();
});

/** A ledger whose DynamoDB client loses the response of the first `lose` UpdateItem calls after they landed. */
async function ledgerWithFaults(
  options: { lose?: number; beforeFirstUpdate?: () => Promise<void>; tableName?: string } = {},
) {
  const tableName =
    options.tableName ?? (await createLedgerTable(moto.clientConfig(REGION), `region-control-${++tables}`)).tableName;
  const raw = new DynamoDBClient({ ...moto.clientConfig(REGION), maxAttempts: 3 });
  let lost = 0;
  let updates = 0;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      updates += 1;
      if (updates === 1 && options.beforeFirstUpdate !== undefined) await options.beforeFirstUpdate();
      const result = await next(args);
      if (lost < (options.lose ?? 0)) {
        lost += 1;
        // A retryable transport error AFTER DynamoDB applied the write: what a lost response looks like.
        throw Object.assign(new Error('socket hang up after the write was applied'), { name: 'TimeoutError' });
      }
      return result;
    },
    // Inside the SDK's retry loop (retries run in finalizeRequest), so the SDK itself retries.
    { step: 'deserialize', name: 'loseResponse' },
  );
  const ledger = {
    ddb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  };
  return { ledger, updates: () => updates };
}

async function auditItems(tableName: string): Promise<Array<Record<string, unknown>>> {
  const raw = new DynamoDBClient(moto.clientConfig(REGION));
  const res = await raw.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (res.Items ?? []).filter((i) => String(i.pk.S).startsWith('AUDIT#')).map((i) => ({ pk: i.pk.S, sk: i.sk.S }));
}

test('operator: a lost response to a write that landed is a success (the SDK retry meets our own write), audited once', async () => {
  // Prepare
  const { ledger, updates } = await ledgerWithFaults({ lose: 1 });
  // Act
  const change = await enterDegradedMode(ledger, { region: REGION, actor: 'ops', reason: 'incident 42' });
  // Assess: two UpdateItem attempts (the original and the SDK's retry), one change, one audit record
  expect(updates()).toBe(2);
  expect(change.changed).toBe(true);
  expect(await readRegionControl(ledger, REGION, true)).toMatchObject({
    degraded: true,
    setBy: 'ops',
    changeId: change.after.changeId,
  });
  expect(await auditItems(ledger.tableName)).toHaveLength(1);
});

test('remediation: a lost response to a write that landed reports changed, audited once under its own subject', async () => {
  // Prepare
  const { ledger, updates } = await ledgerWithFaults({ lose: 1 });
  const control = ledgerRegionControl(ledger);
  // Act
  const enter = await control.setDegraded(REGION, true, 'signer-errors ALARM', 'remediation:us-east-2:signer-errors');
  // Assess
  expect(updates()).toBe(2);
  expect(enter.changed).toBe(true);
  expect(await control.get(REGION)).toMatchObject({ degraded: true, setBy: 'remediation:us-east-2:signer-errors' });
  const audits = await auditItems(ledger.tableName);
  expect(audits).toHaveLength(1);
  expect(audits[0].pk).toBe(`AUDIT#remediation#${REGION}`);
});

test("fails closed when an operator changes the item between remediation's read and write: the operator's state stays", async () => {
  // Prepare: remediation set degraded mode; it is about to lift it when an operator re-enters it with their reason.
  const { ledger: plainLedger } = await ledgerWithFaults();
  await ledgerRegionControl(plainLedger).setDegraded(REGION, true, 'signer-errors ALARM', 'remediation:us-east-2:sig');
  const { ledger } = await ledgerWithFaults({
    tableName: plainLedger.tableName,
    beforeFirstUpdate: async () => {
      // The operator, after remediation read the item: leave then enter with their own reason.
      await leaveDegradedMode(plainLedger, { region: REGION, actor: 'ops', reason: 'checking' });
      await enterDegradedMode(plainLedger, { region: REGION, actor: 'ops', reason: 'keep it off: incident 42' });
    },
  });
  const racing = ledgerRegionControl(ledger);
  // Act
  const leave = await racing.setDegraded(REGION, false, 'OK', 'remediation:us-east-2:sig', {
    onlyIfSetByPrefix: 'remediation:',
  });
  // Assess
  expect(leave.changed).toBe(false);
  expect(await readRegionControl(plainLedger, REGION, true)).toMatchObject({
    degraded: true,
    setBy: 'ops',
    reason: 'keep it off: incident 42',
  });
});

test('fails with DegradedModeConflictError when remediation changes the item between the operator’s read and write', async () => {
  // Prepare
  const { ledger: plainLedger } = await ledgerWithFaults();
  const { ledger } = await ledgerWithFaults({
    tableName: plainLedger.tableName,
    beforeFirstUpdate: async () => {
      await ledgerRegionControl(plainLedger).setDegraded(REGION, true, 'region-impaired', 'remediation:us-east-2:x');
    },
  });
  // Act
  const err = await enterDegradedMode(ledger, { region: REGION, actor: 'ops', reason: 'maintenance' }).catch(
    (e: unknown) => e,
  );
  // Assess: the operator is told, and remediation's write stands
  expect(err).toBeInstanceOf(DegradedModeConflictError);
  expect(await readRegionControl(plainLedger, REGION, true)).toMatchObject({ setBy: 'remediation:us-east-2:x' });
});
