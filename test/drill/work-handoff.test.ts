import { signingDeadLetterQueueName, signingQueueName } from '../../lib/contract/names';
import { txStatusPartition } from '../../lib/contract/ledger';
import { simDrill, simTarget } from './helpers';

/**
 * After each lease move the drill hands the stranded work to the new holder (lib/drill/work-handoff.ts,
 * over lib/failover/handoff.ts): the signing DLQs of both regions and every open transaction of the
 * address go to the holder's signing queue, fenced by the move's epoch, audited; a failed hand-off is
 * a warning that names `wallet-ops hand-off` and never undoes the move. On the simulated AWS, whose
 * SQS and ledger Query answer as the real services do for these calls.
 */

function strand(target: ReturnType<typeof simTarget>, address: string) {
  const { config } = target.world;
  const { primary } = config.regions;
  // A message that died in the old holder's DLQ, and a queued transaction whose message is in a queue nobody drains.
  target.world.sqs.seed(primary, signingDeadLetterQueueName(config.envName), '{"walletId":"w1","txId":"tx-dlq"}');
  target.world.putLedgerItem({
    pk: 'TX#w1',
    sk: 'tx-open',
    walletId: 'w1',
    txId: 'tx-open',
    status: 'queued',
    gsi1pk: txStatusPartition(address, 'queued'),
    gsi1sk: `2026-12-01T00:00:00.000Z#tx-open`,
  });
}

test("a failover hands the old holder's DLQ and the open transactions to the standby's signing queue, once, audited", async () => {
  // Prepare
  const target = simTarget();
  const { config } = target.world;
  const { primary, standby } = config.regions;
  const address = (await target.readLease('primary'))!.address;
  strand(target, address);

  // Act
  const record = await simDrill(target);

  // Assess
  expect(record.outcome).toBe('completed');
  const epoch = (await target.readLease('standby'))!.epoch;
  const check = record.checks.find((c) => c.id.startsWith('work-handoff-'))!;
  expect(check).toEqual(expect.objectContaining({ ok: true, level: 'warning', id: `work-handoff-epoch-${epoch}` }));
  expect(check.detail).toContain(
    '1 message(s) moved from the signing DLQs, 1 open transaction(s) re-sent to ' + standby,
  );
  expect(target.world.sqs.messages(primary, signingDeadLetterQueueName(config.envName))).toEqual([]);
  expect(
    target.world.sqs.messages(standby, signingQueueName(config.envName)).map((m) => JSON.parse(m.body).txId),
  ).toEqual(['tx-dlq', 'tx-open']);
  const audit = target.world.ledgerItems((i) => i.kind === 'work-handoff');
  expect(audit).toEqual([
    expect.objectContaining({
      holder: standby,
      epoch,
      actor: 'test',
      requeued: ['tx-open'],
    }),
  ]);
  // Only the drill's own commands: nothing outside the allow-list was sent (the guard would have refused it).
  expect(target.calls.filter((c) => c.kind === 'forbidden')).toEqual([]);
});

test('the failback hands work back to the primary, with its own epoch', async () => {
  // Prepare
  const target = simTarget({ position: 'standby' });
  const { config } = target.world;
  const { primary } = config.regions;
  target.world.sqs.seed(
    config.regions.standby,
    signingDeadLetterQueueName(config.envName),
    '{"walletId":"w2","txId":"tx-back"}',
  );

  // Act
  const back = await simDrill(target, 'failback');

  // Assess
  expect(back.outcome).toBe('completed');
  const epoch = (await target.readLease('primary'))!.epoch;
  const checks = back.checks.filter((c) => c.id.startsWith('work-handoff-'));
  expect(checks.map((c) => [c.id, c.ok])).toEqual([[`work-handoff-epoch-${epoch}`, true]]);
  expect(
    target.world.sqs.messages(primary, signingQueueName(config.envName)).map((m) => JSON.parse(m.body).txId),
  ).toContain('tx-back');
});

test('fails as a warning, naming wallet-ops hand-off, when SQS refuses the send: the failover stands', async () => {
  // Prepare
  const target = simTarget();
  const { config } = target.world;
  strand(target, (await target.readLease('primary'))!.address);
  target.world.failCommand('SendMessageCommand', () =>
    Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }),
  );

  // Act
  const record = await simDrill(target);

  // Assess
  expect(record.outcome).toBe('completed');
  expect((await target.readLease('standby'))!.activeRegion).toBe(config.regions.standby);
  const check = record.checks.find((c) => c.id.startsWith('work-handoff-'))!;
  expect(check).toEqual(expect.objectContaining({ ok: false, level: 'warning' }));
  expect(check.detail).toContain('AccessDenied');
  expect(check.fix).toContain(`wallet-ops hand-off --region ${config.regions.standby}`);
  expect(record.message).toContain('work-handoff-epoch-');
});
