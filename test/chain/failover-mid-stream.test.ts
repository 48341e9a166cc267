import { runRehearsal } from '../../bin/rehearsal/run';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import { type MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Failover mid-stream on a real chain (issue 16): two regions' signers share one address (a
 * replicated moto KMS key) and one Hardhat node; the lease moves in the middle of a stream of
 * requests, once planned (the drill's moveLease) and once with the holder partitioned (its DynamoDB,
 * SQS and KMS calls fail). The verdict comes from the chain, read with viem: contiguous nonces and
 * every accepted request (a unique value each) mined exactly once.
 */
let node: EvmNode;
let moto: MotoServer;

beforeAll(async () => {
  [node, moto] = await Promise.all([startEvmNode({ chainId: 31337, automine: false }), sharedMoto()]);
});
afterAll(async () => {
  await node?.stop();
});

test.each([['planned' as const], ['partitioned' as const]])(
  'lease moved mid-stream (%s): contiguous nonces, every accepted request mined exactly once',
  async (kind) => {
    // Act
    const report = await runRehearsal({ moto, node, requests: 12, failovers: [kind], perBlock: 4 });
    // Assess: the move happened in the middle, between two regions, with requests 4 and 5 accepted
    // by the old holder and still queued there (unsigned)
    expect(report.leaseMoves).toEqual([{ kind, from: 'us-east-2', to: 'us-west-2', atRequest: 6, queuedAtMove: 2 }]);
    // Assess, from the chain
    expect(report.accepted).toBe(12);
    expect(report.duplicates).toBe(0);
    expect(report.nonceGaps).toBe(0);
    expect(report.unminedAccepted).toBe(0);
    expect(report.badSignatures).toBe(0);
    expect(report.mined).toBe(12);
    expect(report.confirmed).toBe(12);
    expect(report.ok).toBe(true);
  },
);
