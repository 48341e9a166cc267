import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApiHandler, ROUTES } from '../../lambda/api/handler';
import { getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { holdForApproval } from '../../lambda/shared/approvals/store';
import { createSpendingGate } from '../../lambda/shared/policy/gate';
import { initLease } from '../../lib/failover/lease';
import { APPROVE_EXIT, runApprove } from '../../lib/operator/commands/approve';
import { NodeSha256 } from '../../lib/operator/commands/approve-client';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { apiEvent, parseBody } from '../lambda/helpers';

/**
 * wallet-approve end to end: the real CLI signs with SigV4; a loopback server stands in for API
 * Gateway's IAM authorization (it recomputes the signature with the caller's secret, refuses a bad
 * one with 403 as API Gateway does, and puts the caller's ARN in requestContext.identity.userArn);
 * behind it, the real API handler on a moto ledger. What the server cannot stand in for: IAM policy
 * evaluation (who may invoke the route), which is AWS's.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 11155111;
const ACCOUNTS: Record<string, { secret: string; arn: string }> = {
  AKIAINITIATOR0000001: {
    secret: 'initiator-secret',
    arn: 'arn:aws:sts::123456789012:assumed-role/WalletService/intake',
  },
  AKIAALICE00000000001: { secret: 'alice-secret', arn: 'arn:aws:sts::123456789012:assumed-role/WalletApprover/alice' },
  AKIABOB0000000000001: { secret: 'bob-secret', arn: 'arn:aws:sts::123456789012:assumed-role/WalletApprover/bob' },
};
const creds =
  (id: string, secret = ACCOUNTS[id].secret) =>
  async () => ({ accessKeyId: id, secretAccessKey: secret });

let moto: MotoServer;
let ledger: Ledger;
let server: Server;
let apiUrl: string;
let api: ReturnType<typeof createApiHandler>;

/** API Gateway's IAM authorization, as far as a loopback server can play it: verify the SigV4 signature. */
async function authorize(req: IncomingMessage, body: string): Promise<string | undefined> {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (m === null) return undefined;
  const [, keyId, , region, signedHeaders] = m;
  const account = ACCOUNTS[keyId];
  if (account === undefined || region !== REGION) return undefined;
  const amzDate = String(req.headers['x-amz-date']);
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name]);
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: { accessKeyId: keyId, secretAccessKey: account.secret },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers,
      ...(body !== '' ? { body } : {}),
    },
    { signingDate: date },
  );
  return expected.headers.authorization === auth ? account.arn : undefined;
}

beforeAll(async () => {
  moto = await sharedMoto();
  ledger = await createLedgerTable(moto.clientConfig(REGION), 'approve-cli-ledger');
  const address = '0x1111111111111111111111111111111111111111';
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  const sqs = new SQSClient(moto.clientConfig(REGION));
  const queueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: 'approve-cli.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
  api = createApiHandler({
    env: {
      region: REGION,
      tableName: ledger.tableName,
      signingQueueUrl: queueUrl,
      chainId: CHAIN_ID,
      consistency: 'MRSC',
    },
    ledger,
    sqs,
    logger: silentLogger(),
    spending: createSpendingGate({
      policy: () => ({
        version: 'approve-cli-test',
        default: { outgoing: 'allowed', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
        wallets: {},
        allowlistTimeLockHours: 48,
        approvals: { thresholdWei: '1000', required: 2, expiresAfterHours: 24 },
      }),
      ledger,
      consistency: 'MRSC',
      region: REGION,
      now: () => new Date(),
    }),
    holdForApproval: (candidate, reasons) =>
      holdForApproval(ledger, candidate, reasons, { thresholdWei: 1000n, required: 2, expiresAfterHours: 24 }),
  });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      void (async () => {
        const arn = await authorize(req, body);
        if (arn === undefined) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              message: 'The request signature we calculated does not match the signature you provided.',
            }),
          );
          return;
        }
        const event = apiEvent({
          method: req.method ?? 'GET',
          resource: '/{proxy+}',
          path: new URL(req.url ?? '/', 'http://x').pathname,
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: body === '' ? null : body,
        });
        const answer = await api({
          ...event,
          requestContext: {
            ...event.requestContext,
            identity: { userArn: arn },
          } as APIGatewayProxyEvent['requestContext'],
        });
        res.writeHead(answer.statusCode, answer.headers as Record<string, string>);
        res.end(answer.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function cli(keyId: string, args: string[], secret?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runApprove([...args, '--api-url', apiUrl, '--region', REGION], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    credentials: creds(keyId, secret),
  });
  return { code, stdout, stderr };
}

let seq = 0;
async function pending(): Promise<string> {
  seq += 1;
  const event = apiEvent({
    method: 'POST',
    resource: ROUTES.createTransaction,
    path: '/v1/wallets/w-1/transactions',
    pathParameters: { walletId: 'w-1' },
    headers: { 'Idempotency-Key': `approve-cli-${seq}-${Date.now()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      to: '0x4444444444444444444444444444444444444444',
      value: '5000',
      gasLimit: '21000',
      maxFeePerGas: '30000000000',
      maxPriorityFeePerGas: '1000000000',
      chainId: CHAIN_ID,
    }),
  });
  const res = await api({
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: { userArn: ACCOUNTS.AKIAINITIATOR0000001.arn },
    } as APIGatewayProxyEvent['requestContext'],
  });
  expect(parseBody(res).status).toBe('pending-approval');
  return parseBody(res).txId as string;
}

test('show prints what an approver must see; two other principals approve; initiator and repeat refused', async () => {
  const txId = await pending();
  const shown = await cli('AKIAALICE00000000001', ['show', 'w-1', txId]);
  expect(shown.code).toBe(APPROVE_EXIT.ok);
  for (const text of [
    'amount:        5000 wei',
    'destination:   0x4444444444444444444444444444444444444444',
    `fee cap:       ${21000n * 30000000000n} wei`,
    `initiator:     ${ACCOUNTS.AKIAINITIATOR0000001.arn}`,
    'approvals:     0 of 2',
    'expires:',
  ]) {
    expect(shown.stdout).toContain(text);
  }
  const hash = /request hash: {2}([0-9a-f]{64})/.exec(shown.stdout)![1];

  const byInitiator = await cli('AKIAINITIATOR0000001', ['approve', 'w-1', txId, '--request-hash', hash]);
  expect(byInitiator.code).toBe(APPROVE_EXIT.refused);
  expect(byInitiator.stderr).toContain('the initiator may not approve it');

  expect((await cli('AKIAALICE00000000001', ['approve', 'w-1', txId, '--request-hash', hash])).code).toBe(0);
  const twice = await cli('AKIAALICE00000000001', ['approve', 'w-1', txId, '--request-hash', hash]);
  expect(twice.code).toBe(APPROVE_EXIT.refused);
  expect(twice.stderr).toContain('already approved');

  const bob = await cli('AKIABOB0000000000001', ['approve', 'w-1', txId, '--request-hash', hash, '--json']);
  expect(bob.code).toBe(APPROVE_EXIT.ok);
  expect(JSON.parse(bob.stdout)).toMatchObject({ decision: 'approve', status: 'queued', approvals: 2, required: 2 });
  const tx = await getTransaction(ledger, 'w-1', txId);
  expect(
    Object.values(tx?.approvals ?? {})
      .map((a) => a.principal)
      .sort(),
  ).toEqual([ACCOUNTS.AKIAALICE00000000001.arn, ACCOUNTS.AKIABOB0000000000001.arn]);
});

test('fails: a request signed with the wrong secret is refused by the authorizer (the CLI cannot claim a principal)', async () => {
  const txId = await pending();
  const hash = (await getTransaction(ledger, 'w-1', txId))!.requestHash;
  const forged = await cli('AKIAALICE00000000001', ['approve', 'w-1', txId, '--request-hash', hash], 'guessed');
  expect(forged.code).toBe(APPROVE_EXIT.refused);
  expect(forged.stderr).toContain('signature we calculated does not match');
  expect((await getTransaction(ledger, 'w-1', txId))?.approvals).toEqual({});
});

test('list --json names the pending request; reject needs a reason and ends it', async () => {
  const txId = await pending();
  const list = await cli('AKIAALICE00000000001', ['list', '--wallet', 'w-1', '--json']);
  expect(list.code).toBe(0);
  expect(JSON.parse(list.stdout).pending.map((p: { txId: string }) => p.txId)).toContain(txId);
  const hash = (await getTransaction(ledger, 'w-1', txId))!.requestHash;
  const noReason = await cli('AKIABOB0000000000001', ['reject', 'w-1', txId, '--request-hash', hash]);
  expect(noReason.code).toBe(APPROVE_EXIT.usage);
  expect(noReason.stderr).toContain('--reason is required');
  const rejected = await cli('AKIABOB0000000000001', [
    'reject',
    'w-1',
    txId,
    '--request-hash',
    hash,
    '--reason',
    'not ours',
  ]);
  expect(rejected.code).toBe(0);
  expect(rejected.stdout).toContain('rejected: w-1/');
  expect((await cli('AKIAALICE00000000001', ['approve', 'w-1', txId, '--request-hash', hash])).code).toBe(
    APPROVE_EXIT.refused,
  );
});

test('fails: bad usage names every problem at once and calls nothing', async () => {
  let stderr = '';
  const code = await runApprove(['approve', 'wallet one', 'not-a-uuid'], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    credentials: creds('AKIAALICE00000000001'),
    fetch: () => Promise.reject(new Error('must not be called')),
  });
  expect(code).toBe(APPROVE_EXIT.usage);
  for (const text of ['walletId must be', 'txId must be', '--request-hash must be', 'no API URL', 'no region']) {
    expect(stderr).toContain(text);
  }
});

test('fails: an unreachable API exits 3 with the address', async () => {
  let stderr = '';
  const code = await runApprove(['list', '--wallet', 'w-1', '--api-url', 'http://127.0.0.1:9', '--region', REGION], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    credentials: creds('AKIAALICE00000000001'),
  });
  expect(code).toBe(APPROVE_EXIT.unavailable);
  expect(stderr).toContain('http://127.0.0.1:9/v1/wallets/w-1/approvals');
});
