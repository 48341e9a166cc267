import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCall, runSchedule } from '../../torture/run';
import { generateSchedule, withoutSweeper } from '../../torture/schedule';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The moto agreement run: the harness's simulated DynamoDB (torture/sim/dynamo.ts, expressions from
 * lib/drill/sim/expressions.ts) must answer every call of a schedule as DynamoDB does. Each sampled
 * MRSC schedule (one store, so its calls have one total order) is run on the simulation with every
 * DynamoDB call recorded; the same calls are then replayed in that order against moto_server, and
 * every answer must match: the same condition failures, the same items read, the same query results.
 * (MREC's replicas are the same store per region plus a replicator the harness owns; its expression
 * semantics are the ones checked here.)
 */
let moto: MotoServer;
let tables = 0;

beforeAll(async () => {
  moto = await sharedMoto();
});

/** JSON with object keys sorted at every level (DynamoDB promises no attribute order). */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

async function replayOnMoto(calls: readonly DynamoCall[]) {
  const ledger = await createLedgerTable(moto.clientConfig('us-east-2'), `torture-agree-${++tables}`);
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(moto.clientConfig('us-east-2')), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const disagreements: string[] = [];
  for (const [i, call] of calls.entries()) {
    const input = { ...call.input, TableName: ledger.tableName } as never;
    const command =
      call.command === 'GetItemCommand'
        ? new GetCommand(input)
        : call.command === 'PutItemCommand'
          ? new PutCommand(input)
          : call.command === 'UpdateItemCommand'
            ? new UpdateCommand(input)
            : call.command === 'QueryCommand'
              ? new QueryCommand(input)
              : undefined;
    if (command === undefined) throw new Error(`call ${i}: no replay for ${call.command}; extend this test`);
    let output: Record<string, unknown> | undefined;
    let error: string | undefined;
    try {
      output = (await ddb.send(command as never)) as Record<string, unknown>;
    } catch (err) {
      error = (err as Error).name;
    }
    const what = `call ${i} ${call.command} ${JSON.stringify(call.input.Key ?? call.input.KeyConditionExpression ?? '')}`;
    if (error !== call.error) {
      disagreements.push(`${what}: simulation ${call.error ?? 'applied'}, moto ${error ?? 'applied'}`);
      continue;
    }
    if (call.command === 'GetItemCommand' && canon(output?.Item) !== canon(call.output?.Item)) {
      disagreements.push(`${what}: simulation ${canon(call.output?.Item)}, moto ${canon(output?.Item)}`);
    }
    if (call.command === 'QueryCommand') {
      const ids = (items: unknown) =>
        ((items ?? []) as Array<Record<string, unknown>>).map((it) => `${String(it.pk)}|${String(it.sk)}`);
      if (JSON.stringify(ids(output?.Items)) !== JSON.stringify(ids(call.output?.Items))) {
        disagreements.push(
          `${what}: simulation ${ids(call.output?.Items).join(',')}, moto ${ids(output?.Items).join(',')}`,
        );
      }
    }
  }
  return disagreements;
}

// A sample of MRSC schedules; 12, 30 and 64 include conditional-check failures (lost replies retried,
// races); 1 and 64 include remediation's writes (its claim, budget, lease move and audit; at 64 a lost
// reply on its claim); 1 and 64 as drawn before the sweeper joined the harness (the properties above are
// theirs then). 4 and 10 include the sweeper's (its sweep-control item's claim, IN-conditioned
// submitted mark, if_not_exists, SET ... REMOVE; at 4 a duplicated run meets the claimed item).
test.each([
  [1, false, true, false],
  [12, true, false, false],
  [30, true, false, false],
  [64, true, true, false],
  [4, true, false, true],
  [10, true, false, true],
])(
  'MRSC schedule %i: moto answers every DynamoDB call as the simulation did',
  async (seed, conditionFailures, remediation, sweeper) => {
    // Prepare
    const calls: DynamoCall[] = [];
    const drawn = generateSchedule(seed, 'MRSC');
    const schedule = sweeper ? drawn : withoutSweeper(drawn);
    await runSchedule(schedule, { recordDynamo: (c) => calls.push(c) });
    // Act
    const disagreements = await replayOnMoto(calls);
    // Assess
    expect(calls.length).toBeGreaterThan(40);
    expect(calls.some((c) => c.error === 'ConditionalCheckFailedException')).toBe(conditionFailures);
    expect(calls.some((c) => JSON.stringify(c.input).includes('REMEDIATION#'))).toBe(remediation);
    expect(calls.some((c) => JSON.stringify(c.input).includes('SWEEP#'))).toBe(sweeper);
    if (sweeper) expect(calls.some((c) => String(c.input.ConditionExpression).includes(' IN ('))).toBe(true);
    expect(disagreements).toEqual([]);
  },
);

test('the agreement check can fail: a call the simulation answered differently is reported', async () => {
  // Prepare: a recorded run with one answer falsified (a condition failure claimed for a call that applies)
  const calls: DynamoCall[] = [];
  await runSchedule(generateSchedule(3, 'MRSC'), { recordDynamo: (c) => calls.push(c) });
  const first = calls.findIndex((c) => c.command === 'PutItemCommand' && c.error === undefined);
  calls[first] = { ...calls[first], error: 'ConditionalCheckFailedException', output: undefined };
  // Act
  const disagreements = await replayOnMoto(calls.slice(0, first + 1));
  // Assess
  expect(disagreements).toEqual([expect.stringContaining('simulation ConditionalCheckFailedException, moto applied')]);
});
