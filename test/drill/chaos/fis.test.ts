import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallRecord, classifyCommand } from '../../../lib/drill/clients';
import { awsFisSend, fisApi, fisRoute } from '../../../lib/drill/chaos/fis';

/** The real-AWS FIS adapter against a loopback server: the REST routes, SigV4 for service fis, errors. */
let server: Server;
let url: string;
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
let reply: { status: number; body: unknown; headers?: Record<string, string> } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res
        .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
});

const api = (calls: CallRecord[] = []) =>
  fisApi(
    awsFisSend({ endpoint: url, credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) }),
    calls,
  );

test('StartExperiment: POST /experiments with the template, token and tags, signed for fis in the region', async () => {
  reply = {
    status: 200,
    body: { experiment: { id: 'EXP1', experimentTemplateId: 'EXT1', state: { status: 'initiating' }, tags: {} } },
  };
  const calls: CallRecord[] = [];
  const e = await api(calls).startExperiment('us-east-2', { templateId: 'EXT1', clientToken: 'tok', tags: { a: 'b' } });
  expect(e).toMatchObject({ id: 'EXP1', templateId: 'EXT1', status: 'initiating' });
  expect(seen[0].method).toBe('POST');
  expect(seen[0].url).toBe('/experiments');
  expect(JSON.parse(seen[0].body)).toEqual({ clientToken: 'tok', experimentTemplateId: 'EXT1', tags: { a: 'b' } });
  expect(seen[0].headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-2\/fis\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
  );
  expect(calls).toEqual([
    expect.objectContaining({ service: 'fis', command: 'StartExperimentCommand', kind: 'write' }),
  ]);
});

test.each([
  ['GetExperimentCommand', 'GET', '/experiments/EXP%201', { id: 'EXP 1' }],
  ['StopExperimentCommand', 'DELETE', '/experiments/EXP1', { id: 'EXP1' }],
  ['ListExperimentsCommand', 'GET', '/experiments', {}],
  ['ListExperimentTemplatesCommand', 'GET', '/experimentTemplates', {}],
])('%s is %s %s (FIS API reference)', (command, method, route, input) => {
  expect(fisRoute(command, input)).toMatchObject({ method, path: route });
});

test('an FIS error becomes an error named by its type, with the message', async () => {
  reply = {
    status: 404,
    body: { message: 'Experiment EXP9 not found' },
    headers: { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/' },
  };
  await expect(api().getExperiment('us-east-2', 'EXP9')).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
    message: 'ResourceNotFoundException: Experiment EXP9 not found',
  });
});

test('the guard allows only start, stop and reads on FIS (no template change)', () => {
  expect(classifyCommand('fis', 'StartExperimentCommand')).toBe('write');
  expect(classifyCommand('fis', 'GetExperimentCommand')).toBe('read');
  for (const c of [
    'CreateExperimentTemplateCommand',
    'UpdateExperimentTemplateCommand',
    'DeleteExperimentTemplateCommand',
  ]) {
    expect(classifyCommand('fis', c)).toBe('forbidden');
  }
});
