import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SHARED_MOTO_ENDPOINT_ENV, SHARED_MOTO_STATUS_ENV, sharedMoto } from '../helpers/moto';
import { trackedTempDir } from '../helpers/temp-dirs';

/** The shared moto_server never lets an integration suite skip or hang silently. */
const saved = { endpoint: process.env[SHARED_MOTO_ENDPOINT_ENV], status: process.env[SHARED_MOTO_STATUS_ENV] };
afterEach(() => {
  process.env[SHARED_MOTO_ENDPOINT_ENV] = saved.endpoint;
  process.env[SHARED_MOTO_STATUS_ENV] = saved.status;
});

test('the global setup started it: a suite gets a server that answers', async () => {
  const moto = await sharedMoto();
  const res = await fetch(`${moto.endpoint}/moto-api/`);
  expect(res.ok).toBe(true);
});

test('fails with the reason the global setup recorded when moto exited (never waits out the timeout)', async () => {
  // Prepare: a port nothing listens on, and the status the setup writes when moto exits
  const status = path.join(trackedTempDir('wallet-moto-test-'), 'status');
  writeFileSync(status, 'moto_server exited early (code 1): ModuleNotFoundError: No module named moto');
  process.env[SHARED_MOTO_ENDPOINT_ENV] = 'http://127.0.0.1:9';
  process.env[SHARED_MOTO_STATUS_ENV] = status;
  // Act + Assess
  await expect(sharedMoto(60_000)).rejects.toThrow('moto_server exited early (code 1): ModuleNotFoundError');
});

test('fails saying how to run the tests when the global setup did not run', async () => {
  delete process.env[SHARED_MOTO_ENDPOINT_ENV];
  await expect(sharedMoto()).rejects.toThrow(
    'the shared moto_server was not started: WALLET_TEST_MOTO_ENDPOINT is not set. Run the tests with `npm test`',
  );
});
