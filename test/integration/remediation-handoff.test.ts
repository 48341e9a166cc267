import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ledgerLeases } from '../../lambda/remediation/adapters/aws';
import { Decision } from '../../lambda/remediation/decide';
import { execute, ExecutionPorts } from '../../lambda/remediation/execute';
import { HandOffPort } from '../../lambda/remediation/ports';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { initLease, readLease } from '../../lib/failover/lease';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Remediation's failover runs the hand-off after its planned actions (lambda/remediation/execute.ts):
 * against moto_server, the lease moves through the real ledger adapter and the stranded DLQ message
 * reaches the new holder's queue, fenced by the epoch the move created; a failing hand-off is paged
 * as a failed outcome but never undoes or blocks the failover (no unexpected error, no retry).
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const ADDRESS = '0x00000000000000000000000000000000000000aa';
let moto: MotoServer;
let n = 0;

beforeAll(async () => {
  moto = await sharedMoto();
});

const decision = (): Decision => ({
  verdict: 'fail-over',
  severity: 'page',
  summary: 'primary impaired',
  reasons: ['standby healthy (test)'],
  actions: [
    { type: 'move-lease', address: ADDRESS, toRegion: STANDBY, expectedEpoch: 1 },
    { type: 'throw-switch', region: STANDBY, reason: 'primary impaired' },
  ],
  suppressed: [],
  actor: 'remediation:test',
});

async function setUp() {
  const i = ++n;
  const table = await createLedgerTable(moto.clientConfig(STANDBY), `remediation-handoff-${i}`);
  await initLease(table, { address: ADDRESS, region: PRIMARY, actor: 'test' });
  const sqs = new SQSClient(moto.clientConfig(STANDBY));
  const fifo = async (name: string) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `rh-${i}-${name}.fifo`,
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
        }),
      )
    ).QueueUrl!;
  const q = { signing: await fifo('signing'), dlq: await fifo('dlq'), peerDlq: await fifo('peer-dlq') };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: q.peerDlq,
      MessageBody: JSON.stringify({ walletId: 'w-1', txId: 'stranded-1' }),
      MessageGroupId: 'w-1',
      MessageDeduplicationId: 'stranded-1',
    }),
  );
  // The port as lambda/remediation/wiring.ts builds it (one moto endpoint for both regions' queues).
  const handOff: HandOffPort = {
    handOff: async (address, expectedEpoch, actor, runId) => {
      const r = await handOffStrandedWork({
        ledger: table,
        sqs,
        address,
        queueUrlFor: () => q.signing,
        deadLetterQueues: [
          { region: PRIMARY, url: q.peerDlq },
          { region: STANDBY, url: q.dlq },
        ],
        actor,
        expectedEpoch,
        runId,
      });
      return { ...r, requeued: r.requeued.length };
    },
  };
  const order: string[] = [];
  const ports: ExecutionPorts = {
    regionControl: { get: async () => undefined, setDegraded: async () => ({ changed: true }) },
    leases: ledgerLeases(table, async () => [ADDRESS]),
    switch: {
      throwOn: async () => {
        order.push('switch');
        return { region: STANDBY, namespace: 'Wallet/Failover', metricName: 'x', value: 1, timestamp: 'now' } as never;
      },
    },
    budget: { recent: async () => [], reserve: async () => undefined },
    handOff: {
      handOff: async (...args) => {
        order.push('hand-off');
        return handOff.handOff(...args);
      },
    },
  };
  return { table, sqs, q, ports, order };
}

const context = { transitionId: 't-1', now: new Date(), windowMinutes: 60, maxFailoversPerWindow: 1 };

test('after the lease moves and the switch is thrown, the stranded DLQ message reaches the new holder', async () => {
  const { table, sqs, q, ports, order } = await setUp();
  const x = await execute(decision(), ports, context);
  expect(x.unexpectedError).toBeUndefined();
  expect(order).toEqual(['switch', 'hand-off']);
  const last = x.outcomes[x.outcomes.length - 1];
  expect(last).toMatchObject({ ok: true, action: { type: 'hand-off', address: ADDRESS, expectedEpoch: 2 } });
  expect(last.detail).toContain(`handed to ${STANDBY}#2: 1 DLQ message(s)`);
  expect((await readLease(table, ADDRESS))?.activeRegion).toBe(STANDBY);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.signing, MaxNumberOfMessages: 10 }));
  expect(got.Messages?.map((m) => JSON.parse(m.Body!).txId)).toEqual(['stranded-1']);
});

test('fails the hand-off outcome (paged) without an unexpected error: the failover stands, nothing is retried', async () => {
  const { table, ports } = await setUp();
  const broken: ExecutionPorts = {
    ...ports,
    handOff: {
      handOff: async () => {
        throw new Error('AccessDenied: sqs:ReceiveMessage');
      },
    },
  };
  const x = await execute(decision(), broken, context);
  expect(x.unexpectedError).toBeUndefined();
  expect(x.outcomes.map((o) => [o.action.type, o.ok])).toEqual([
    ['move-lease', true],
    ['throw-switch', true],
    ['hand-off', false],
  ]);
  expect((await readLease(table, ADDRESS))?.epoch).toBe(2);
});

test('without a hand-off port (the primary), nothing is handed off', async () => {
  const { ports } = await setUp();
  const withoutHandOff: ExecutionPorts = { ...ports, handOff: undefined };
  const x = await execute(decision(), withoutHandOff, context);
  expect(x.outcomes.map((o) => o.action.type)).toEqual(['move-lease', 'throw-switch']);
});
