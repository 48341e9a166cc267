/**
 * What moto_server costs the tests per request, with and without the shim's route memo
 * (lib/chain/devnet/moto_server_shim.py, MOTO_SHIM_ROUTE_MEMO). One fresh server per mode; the
 * same request mix the integration tests send (DynamoDB conditional writes and reads, KMS
 * DescribeKey, SQS, CloudWatch); moto's own CPU read from /proc (Linux).
 * Run through `npm run bench -- moto`.
 */
import { readFileSync } from 'node:fs';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MOTO_CREDENTIALS, spawnMoto, waitForMoto, motoExitReason } from '../lib/chain/devnet/moto-server';

/** user + system CPU seconds of one process (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(
  routeMemo: boolean,
  rounds: number,
): Promise<{ cpuMsPerRequest: number; wallMsPerRequest: number }> {
  const moto = await spawnMoto({ atomicDynamoDb: true, kmsDigestSigning: true, routeMemo });
  let spawnError: Error | undefined;
  moto.child.once('error', (e) => (spawnError = e));
  try {
    await waitForMoto(moto.endpoint, 30_000, () => motoExitReason(moto, spawnError));
    const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS };
    const ddb = new DynamoDBClient(config);
    const kms = new KMSClient(config);
    const sqs = new SQSClient(config);
    const cw = new CloudWatchClient(config);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'bench',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const keyId = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!.KeyId!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }))).QueueUrl!;
    const pid = moto.child.pid!;
    const cpuBefore = processCpuSeconds(pid);
    const started = process.hrtime.bigint();
    let requests = 0;
    for (let i = 0; i < rounds; i++) {
      // `<=`, not `<`: if a reply is lost and the SDK retries, the retry finds its own write (n equal)
      // and passes, instead of failing the benchmark with a condition failure on its own write.
      await ddb.send(
        new PutItemCommand({
          TableName: 'bench',
          Item: { pk: { S: `k${i % 20}` }, n: { N: String(i) } },
          ConditionExpression: 'attribute_not_exists(n) OR n <= :n',
          ExpressionAttributeValues: { ':n': { N: String(i) } },
        }),
      );
      await ddb.send(
        new GetItemCommand({ TableName: 'bench', Key: { pk: { S: `k${i % 20}` } }, ConsistentRead: true }),
      );
      await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: String(i) }));
      await cw.send(
        new PutMetricDataCommand({ Namespace: 'Bench', MetricData: [{ MetricName: 'm', Value: i, Unit: 'Count' }] }),
      );
      requests += 5;
    }
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpuMs = (processCpuSeconds(pid) - cpuBefore) * 1000;
    return { cpuMsPerRequest: +(cpuMs / requests).toFixed(2), wallMsPerRequest: +(wallMs / requests).toFixed(2) };
  } finally {
    moto.child.kill('SIGKILL');
  }
}

export async function benchMoto(rounds = 200): Promise<Record<string, number>> {
  // Interleaved, twice each, so a change in the machine's load falls on both modes alike.
  const off1 = await measure(false, rounds);
  const on1 = await measure(true, rounds);
  const off2 = await measure(false, rounds);
  const on2 = await measure(true, rounds);
  const mean = (a: number, b: number) => +((a + b) / 2).toFixed(2);
  return {
    requestsPerRun: rounds * 5,
    motoCpuMsPerRequestWithoutRouteMemo: mean(off1.cpuMsPerRequest, off2.cpuMsPerRequest),
    motoCpuMsPerRequestWithRouteMemo: mean(on1.cpuMsPerRequest, on2.cpuMsPerRequest),
    wallMsPerRequestWithoutRouteMemo: mean(off1.wallMsPerRequest, off2.wallMsPerRequest),
    wallMsPerRequestWithRouteMemo: mean(on1.wallMsPerRequest, on2.wallMsPerRequest),
  };
}
