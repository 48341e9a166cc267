import {
  CANARY_DIMENSIONS,
  CANARY_METRICS,
  CANARY_WALLET_ID,
  canaryRoutes,
  canaryTransactionRequest,
  CanaryTransactionView,
  SIGNED_STATUSES,
  TERMINAL_FAILED_STATUSES,
} from '../../../lib/contract/canary';
import { HEALTH_PATH } from '../../../lib/contract/health';
import { TransactionConfig } from '../shared/config';
import { CanaryFailure, snippet } from '../shared/failure';
import { checkHealth, CheckDeps, userAgent } from '../shared/health-check';
import { MetricSink } from '../shared/metrics';
import { RequestSigner } from '../shared/sigv4';
import { CanaryLog, StepRunner } from '../shared/synthetics';
import { HttpResponse } from '../shared/transport';
import { answerOf, canaryWalletClient } from '../shared/wallet-client';
import { WalletClient, WalletClientConfigError } from '../../../client/index';

export interface TransactionDeps extends CheckDeps {
  readonly sign: RequestSigner;
  readonly metrics: MetricSink;
  readonly log: CanaryLog;
  readonly step: StepRunner;
  /** A fresh Idempotency-Key per run (a retry inside the run would reuse it). */
  readonly newIdempotencyKey: () => string;
}

export interface TransactionResult {
  readonly txId: string;
  readonly signingRegion: string;
  readonly idempotencyKey: string;
  readonly signLatencyMs: number;
  readonly polls: number;
}

function parseView(where: string, res: HttpResponse): CanaryTransactionView {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  const view = parsed as Partial<CanaryTransactionView> | undefined;
  if (view === undefined || view === null || typeof view.txId !== 'string' || typeof view.status !== 'string') {
    throw new CanaryFailure(
      'bad-body',
      `${where} answered ${res.status} without {"txId": string, "status": string} (lib/contract/canary.ts CanaryTransactionView): ${snippet(res.body)}`,
    );
  }
  return { txId: view.txId, status: view.status };
}

function requireOk(where: string, res: HttpResponse, signingRegion: string): void {
  if (res.status === 401 || res.status === 403) {
    throw new CanaryFailure(
      'auth',
      `${where} answered HTTP ${res.status}: the API refused the canary's SigV4 signature for ${signingRegion}. Check that the canary role may execute-api:Invoke this route, and that the name is served from ${signingRegion} (a request signed for one region is refused by the other); body starts: ${snippet(res.body)}`,
    );
  }
  if (res.status < 200 || res.status > 299) {
    throw new CanaryFailure(
      'http-status',
      `${where} answered HTTP ${res.status}, expected 2xx; body starts: ${snippet(res.body)}`,
    );
  }
}

/**
 * The transaction canary: submits a canary transaction for the reserved test wallet (flagged, so
 * the signer never broadcasts it and never spends a real nonce) with a fresh Idempotency-Key, then
 * polls until it is signed within the bound. Requests are SigV4-signed for the region that serves
 * the base URL: the configured one, or the one `/health` names (the public name moves on failover).
 */
export async function runTransaction(config: TransactionConfig, deps: TransactionDeps): Promise<TransactionResult> {
  const agent = userAgent('transaction', config);
  const signingRegion =
    config.signingRegion ??
    (
      await deps.step('discover-serving-region', () =>
        checkHealth(
          {
            url: `${config.baseUrl}${HEALTH_PATH}`,
            expectedRegions: config.expectedRegions,
            // Latency is the public-name canary's job; here only the answer matters.
            maxLatencyMs: config.requestTimeoutMs,
            timeoutMs: config.requestTimeoutMs,
            userAgent: agent,
          },
          deps,
        ),
      )
    ).region;

  // The wallet client (client/), pinned to the public name and one attempt (shared/wallet-client.ts).
  let client: WalletClient;
  try {
    client = canaryWalletClient({
      baseUrl: config.baseUrl,
      regions: config.expectedRegions,
      requestTimeoutMs: config.requestTimeoutMs,
      userAgent: agent,
      transport: deps.transport,
      sign: deps.sign,
      clock: deps.clock,
      newIdempotencyKey: deps.newIdempotencyKey,
    });
  } catch (err) {
    if (!(err instanceof WalletClientConfigError)) throw err;
    throw new CanaryFailure('config', `the transaction canary cannot build its wallet client: ${err.message}`);
  }
  const via = { failoverName: signingRegion };
  const submitUrl = `${config.baseUrl}${canaryRoutes.submit(CANARY_WALLET_ID)}`;

  const submitted = await deps.step('submit-canary-transaction', async () => {
    const where = `POST ${submitUrl}`;
    const result = await client.submitTransaction(CANARY_WALLET_ID, canaryTransactionRequest(), { via });
    const res = answerOf(result);
    requireOk(where, res, signingRegion);
    return { view: parseView(where, res), at: deps.clock.now(), idempotencyKey: result.idempotencyKey };
  });
  const idempotencyKey = submitted.idempotencyKey;
  deps.log('canary-transaction-submitted', {
    txId: submitted.view.txId,
    status: submitted.view.status,
    idempotencyKey,
    signingRegion,
  });

  const outcome = await deps.step('await-signature', async () => {
    const getUrl = `${config.baseUrl}${canaryRoutes.get(CANARY_WALLET_ID, submitted.view.txId)}`;
    const where = `GET ${getUrl}`;
    const deadline = submitted.at + config.signBoundMs;
    let view = submitted.view;
    let polls = 0;
    for (;;) {
      if (SIGNED_STATUSES.includes(view.status)) return { polls, latencyMs: deps.clock.now() - submitted.at };
      if (TERMINAL_FAILED_STATUSES.includes(view.status)) {
        throw new CanaryFailure(
          'tx-failed',
          `canary transaction ${view.txId} ended as "${view.status}" before it was signed (idempotency key ${idempotencyKey}); see the signer logs and the transaction item`,
        );
      }
      const remaining = deadline - deps.clock.now();
      if (remaining <= 0) {
        throw new CanaryFailure(
          'not-signed-in-time',
          `canary transaction ${view.txId} is still "${view.status}" ${config.signBoundMs} ms after submission (${polls} polls, signing region ${signingRegion}); check the signing queue age, the signer's errors and throttles, KMS, and which region holds the lease`,
        );
      }
      await deps.clock.sleep(Math.min(config.pollIntervalMs, remaining));
      polls += 1;
      const res = answerOf(await client.getTransaction(CANARY_WALLET_ID, submitted.view.txId, { via }));
      // Not yet readable where this request landed: keep polling until the bound.
      if (res.status === 404) continue;
      requireOk(where, res, signingRegion);
      view = parseView(where, res);
    }
  });

  deps.log('canary-transaction-signed', {
    txId: submitted.view.txId,
    signLatencyMs: outcome.latencyMs,
    polls: outcome.polls,
  });
  try {
    await deps.metrics.put([
      {
        name: CANARY_METRICS.signLatency,
        value: outcome.latencyMs,
        unit: 'Milliseconds',
        dimensions: {
          [CANARY_DIMENSIONS.environment]: config.envName,
          [CANARY_DIMENSIONS.vantage]: config.vantageRegion,
        },
      },
    ]);
  } catch (err) {
    deps.log('metric-publish-failed', { metric: CANARY_METRICS.signLatency, error: String(err) });
  }
  return {
    txId: submitted.view.txId,
    signingRegion,
    idempotencyKey,
    signLatencyMs: outcome.latencyMs,
    polls: outcome.polls,
  };
}
