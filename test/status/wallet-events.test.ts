import { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { EmitOutcome, WalletEventEmitter } from '../../lib/status/wallet-events';

/**
 * The emitter's retry rules. The sender here answers like EventBridge refusing an entry (a call that
 * succeeds with FailedEntryCount 1): moto never refuses a well-formed entry, so this is the one place
 * the per-entry codes are exercised. Delivery itself is tested against moto in
 * test/integration/status-events.test.ts.
 */
const refusing = (codes: string[]) => {
  const calls: PutEventsCommand[] = [];
  return {
    calls,
    send: async (c: PutEventsCommand): Promise<PutEventsCommandOutput> => {
      calls.push(c);
      const code = codes.shift();
      return code === undefined
        ? { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }], $metadata: {} }
        : { FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: code }], $metadata: {} };
    },
  };
};

const detail = {
  envName: 'test',
  at: '2026-12-01T12:00:00.000Z',
  actor: 'drill:test',
  reason: 'drill',
  position: 'on' as const,
};

test('a retryable entry refusal (ThrottlingException, InternalFailure) is retried and then delivered', async () => {
  const sender = refusing(['ThrottlingException', 'InternalFailure']);
  const emitter = new WalletEventEmitter({
    regions: ['us-east-2'],
    client: () => sender,
    log: () => undefined,
    backoffMs: 1,
  });
  emitter.emit('switchChanged', detail);
  expect(await emitter.flush()).toEqual([expect.objectContaining({ delivered: true, attempts: 3, eventId: 'e-1' })]);
});

test('a final refusal (NotAuthorizedForSourceException) is not retried: reported and counted once', async () => {
  const sender = refusing(['NotAuthorizedForSourceException']);
  const counted: EmitOutcome[] = [];
  const logged: string[] = [];
  const emitter = new WalletEventEmitter({
    regions: ['us-east-2'],
    client: () => sender,
    log: (_level, message) => void logged.push(message),
    onUndelivered: (o) => void counted.push(o),
    backoffMs: 1,
  });
  emitter.emit('switchChanged', detail);
  const [outcome] = await emitter.flush();
  expect(outcome).toEqual(
    expect.objectContaining({
      delivered: false,
      attempts: 1,
      error: expect.stringContaining('NotAuthorizedForSourceException'),
    }),
  );
  expect(sender.calls).toHaveLength(1);
  expect(counted).toHaveLength(1);
  expect(logged).toEqual(["status event not delivered to us-east-2's default bus; the failover goes on"]);
});

test('emit returns before the put completes and never throws, even when the client throws synchronously', async () => {
  const emitter = new WalletEventEmitter({
    regions: ['us-east-2', 'us-west-2'],
    client: (region) => {
      if (region === 'us-west-2') throw new Error('no client for us-west-2');
      return refusing([]);
    },
    log: () => undefined,
    backoffMs: 1,
  });
  expect(() => emitter.emit('switchChanged', detail)).not.toThrow();
  const outcomes = await emitter.flush();
  expect(outcomes.map((o) => [o.region, o.delivered])).toEqual([
    ['us-east-2', true],
    ['us-west-2', false],
  ]);
  expect(await emitter.flush()).toEqual([]);
});
