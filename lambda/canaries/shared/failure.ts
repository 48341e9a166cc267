/**
 * Why a canary check failed. The canary throws a {@link CanaryFailure}; Synthetics records its
 * message as the run's failure reason, so every message says what was expected, what was received,
 * and where to look.
 */
export const FAILURE_REASONS = [
  /** Name resolution failed. */
  'dns',
  /** TCP connection refused or reset. */
  'connection',
  /** The certificate does not match the host name, is untrusted, or expired. */
  'tls',
  /** No answer within the request timeout. */
  'timeout',
  /** The answer was not 2xx. */
  'http-status',
  /** 2xx, but the body is not the health contract (not JSON, no marker, healthy not true). */
  'bad-body',
  /** A healthy answer from a region that should not be answering at this name. */
  'wrong-region',
  /** A correct answer slower than the bound. */
  'slow',
  /** 401/403 from an IAM-authenticated route (role policy, or SigV4 signed for the wrong region). */
  'auth',
  /** The canary transaction reached a terminal failed status. */
  'tx-failed',
  /** The canary transaction was not signed within the bound. */
  'not-signed-in-time',
  /** The canary's own configuration is invalid (environment variables). */
  'config',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export class CanaryFailure extends Error {
  constructor(
    public readonly reason: FailureReason,
    message: string,
  ) {
    super(`[${reason}] ${message}`);
    this.name = 'CanaryFailure';
  }
}

/** The first `max` characters of a body, on one line, for a failure message. */
export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
