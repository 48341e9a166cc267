import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fromRlp, type Hex, numberToHex, toRlp } from 'viem';
import { DEPLOY_CHECK_KIND, type DeployCheckResponse } from '../../../lib/contract/deployment';
import { createDeployHook, loadDeployHookEnv } from '../../../lambda/deploy-hook/handler';
import { KmsSigningKey } from '../../../lambda/shared/kms-signer';
import { silentLogger } from '../../../lambda/shared/logger';
import { SECP256K1_N } from '../../../lambda/shared/signing';
import { isDeployCheckEvent, parseDeployCheck } from '../../../lambda/signer/deploy-check';
import { createSigner } from '../../../lambda/signer/handler';
import { MotoServer, sharedMoto } from '../../helpers/moto';

/**
 * The signer's pre-traffic hook against real secp256k1 keys in moto's KMS: the "versions" under
 * deployment are the real signer's deploy-check path (createSigner().deployCheck) with a KMS key and
 * a chain id each, reached through a Lambda client whose Invoke is routed in process. CodeDeploy is an
 * injected client: the test reads the status the hook reports.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 1;
const ACCOUNT = '123456789012';
const versionArn = (n: number) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:test-wallet-signer:${n}`;
const EVENT = { DeploymentId: 'd-TEST12345', LifecycleEventHookExecutionId: 'hook-exec-1' };

const lambdaMock = mockClient(LambdaClient);
const codeDeployMock = mockClient(CodeDeployClient);
let moto: MotoServer;
let kms: KMSClient;
let keyArn: string;
let otherKeyArn: string;

/** A ledger that fails the test if the deploy check touches it. */
const noLedger = {
  ddb: new Proxy(
    {},
    {
      get: () => {
        throw new Error('the deploy check must not touch the ledger');
      },
    },
  ),
  tableName: 'never-used',
} as never;

type Version = (event: unknown) => Promise<unknown>;

function signerVersion(opts: { keyArn: string; chainId: number }, n: number): Version {
  const signer = createSigner({
    env: {
      region: REGION,
      tableName: 'never-used',
      signingKeyArn: opts.keyArn,
      chainId: opts.chainId,
      consistency: 'MRSC',
    },
    ledger: noLedger,
    key: new KmsSigningKey(kms, opts.keyArn),
    logger: silentLogger(),
  });
  return async (event) => {
    if (!isDeployCheckEvent(event)) throw new Error('the hook must send a deploy check');
    return signer.deployCheck(parseDeployCheck(event), String(n));
  };
}

/** A broken version: signs correctly, then publishes the high-s twin of its signature (same signer, invalid under EIP-2). */
function highSVersion(inner: Version): Version {
  return async (event) => {
    const answer = (await inner(event)) as DeployCheckResponse;
    const fields = fromRlp(`0x${answer.raw.slice(4)}`, 'hex') as Hex[];
    const s = SECP256K1_N - BigInt(fields[11]);
    fields[9] = fields[9] === '0x' ? '0x01' : '0x';
    fields[11] = numberToHex(s);
    const raw = `0x02${toRlp(fields).slice(2)}` as Hex;
    return { ...answer, raw };
  };
}

function routeVersions(versions: Record<string, Version>): void {
  lambdaMock.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
    const version = versions[input.FunctionName];
    if (version === undefined)
      throw Object.assign(new Error(`no such function ${input.FunctionName}`), { name: 'ResourceNotFoundException' });
    try {
      const out = await version(JSON.parse(Buffer.from(input.Payload).toString('utf8')));
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(out)) };
    } catch (err) {
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: Buffer.from(JSON.stringify({ errorMessage: (err as Error).message })),
      };
    }
  });
}

function hookFor(target: string, chainId = CHAIN_ID) {
  return createDeployHook({
    env: loadDeployHookEnv({
      WALLET_DEPLOY_TARGET_VERSION_ARN: target,
      WALLET_SIGNING_KEY_ARN: keyArn,
      WALLET_CHAIN_ID: String(chainId),
    }),
    lambda: new LambdaClient({ region: REGION }),
    codeDeploy: new CodeDeployClient({ region: REGION }),
    kms,
    logger: silentLogger(),
  });
}

const reported = () =>
  codeDeployMock.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((c) => c.args[0].input);

beforeAll(async () => {
  moto = await sharedMoto();
  kms = new KMSClient(moto.clientConfig(REGION));
  const create = () =>
    kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }));
  keyArn = (await create()).KeyMetadata!.Arn!;
  otherKeyArn = (await create()).KeyMetadata!.Arn!;
});

beforeEach(() => {
  lambdaMock.reset();
  codeDeployMock.reset();
  codeDeployMock.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
});

test('a good signer version passes and the hook reports Succeeded for its lifecycle event', async () => {
  // Prepare
  routeVersions({ [versionArn(7)]: signerVersion({ keyArn, chainId: CHAIN_ID }, 7) });
  // Act
  const verdict = await hookFor(versionArn(7)).handler(EVENT);
  // Assess
  expect(verdict).toEqual({ status: 'Succeeded' });
  expect(reported()).toEqual([
    {
      deploymentId: EVENT.DeploymentId,
      lifecycleEventHookExecutionId: EVENT.LifecycleEventHookExecutionId,
      status: 'Succeeded',
    },
  ]);
  // It invoked exactly the version under deployment, never the alias or $LATEST, with a fresh challenge.
  const invoked = lambdaMock.commandCalls(InvokeCommand).map((c) => c.args[0].input);
  expect(invoked).toHaveLength(1);
  expect(invoked[0].FunctionName).toBe(versionArn(7));
  expect(JSON.parse(Buffer.from(invoked[0].Payload as Uint8Array).toString())).toEqual({
    kind: DEPLOY_CHECK_KIND,
    challenge: expect.stringMatching(/^0x[0-9a-f]{64}$/),
  });
});

test.each([
  [
    'fails a version that signs for the wrong chain id',
    () => signerVersion({ keyArn, chainId: 5 }, 8),
    /chain id 5, expected 1/,
  ],
  [
    'fails a version that emits high-s signatures',
    () => highSVersion(signerVersion({ keyArn, chainId: CHAIN_ID }, 8)),
    /high-s/,
  ],
  [
    'fails a version that signs with the wrong key',
    () => signerVersion({ keyArn: otherKeyArn, chainId: CHAIN_ID }, 8),
    /recovers to 0x[0-9a-f]{40}, not to the signing key's address/,
  ],
  [
    'fails a version that throws',
    () => async () => {
      throw new Error('boom: WALLET_CHAIN_ID missing');
    },
    /failed the deploy check \(Unhandled\).*boom/,
  ],
])('%s: the hook reports Failed with the reason', async (_name, version, reason) => {
  // Prepare
  routeVersions({ [versionArn(8)]: version() });
  // Act
  const verdict = await hookFor(versionArn(8)).handler(EVENT);
  // Assess
  expect(verdict.status).toBe('Failed');
  expect(verdict.status === 'Failed' && verdict.problems.join('\n')).toMatch(reason);
  expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
});

test('fails when the version cannot be invoked (and still reports, so CodeDeploy rolls back at once)', async () => {
  routeVersions({});
  const verdict = await hookFor(versionArn(9)).handler(EVENT);
  expect(verdict.status).toBe('Failed');
  expect(reported()).toEqual([expect.objectContaining({ status: 'Failed' })]);
});

test('a lost report is retried by Lambda; a retry after a report that did arrive is not an error', async () => {
  // Prepare: the first report fails in transit, the second finds the event already completed.
  routeVersions({ [versionArn(7)]: signerVersion({ keyArn, chainId: CHAIN_ID }, 7) });
  codeDeployMock
    .on(PutLifecycleEventHookExecutionStatusCommand)
    .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
    .rejectsOnce(Object.assign(new Error('already completed'), { name: 'LifecycleEventAlreadyCompletedException' }));
  const hook = hookFor(versionArn(7));
  // Act + Assess: the first invocation throws (Lambda retries it), the retry completes.
  await expect(hook.handler(EVENT)).rejects.toThrow('socket hang up');
  await expect(hook.handler(EVENT)).resolves.toEqual({ status: 'Succeeded' });
  expect(reported()).toHaveLength(2);
});

test('fails to start with every environment problem named', () => {
  expect(() =>
    loadDeployHookEnv({
      WALLET_DEPLOY_TARGET_VERSION_ARN: `${versionArn(1).replace(/:1$/, ':live')}`,
      WALLET_CHAIN_ID: '0',
    }),
  ).toThrow(
    /WALLET_DEPLOY_TARGET_VERSION_ARN must be a qualified Lambda version ARN.*WALLET_SIGNING_KEY_ARN.*WALLET_CHAIN_ID must be a positive whole number/,
  );
});
