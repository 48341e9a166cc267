import { WalletError } from '../errors';

/** The caller may not decide this request: the initiator, already decided it, or no verified identity (403). */
export class ApprovalForbiddenError extends WalletError {
  readonly statusCode = 403;
  readonly code = 'ApprovalForbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalForbiddenError';
  }
}

/** The request is not open for this decision: expired, rejected, queued or signed already, or changed (409). */
export class ApprovalRefusedError extends WalletError {
  readonly statusCode = 409;
  readonly code = 'ApprovalRefused';
  override readonly details: { status: string; reason: string };
  constructor(status: string, reason: string) {
    super(reason);
    this.name = 'ApprovalRefusedError';
    this.details = { status, reason };
  }
}

/**
 * MREC only: approvals are written only in the region holding the signing lease. Under MREC the
 * table resolves concurrent writes to one item from two regions by last writer wins (the whole
 * item), so an approval written in a replica the holder has not seen could be lost, or could
 * overwrite the holder's later state of the transaction (503, retry through the API name).
 */
export class ApprovalElsewhereError extends WalletError {
  readonly statusCode = 503;
  readonly code = 'ApprovalElsewhere';
  override readonly headers = { 'Retry-After': '30' };
  constructor(region: string, holder: string | undefined) {
    super(
      `under MREC approvals are recorded only in the region holding the signing lease (${holder ?? 'none visible here'}), ` +
        `and this is ${region}; nothing was recorded. Fix: retry through the API name, which points at the holder`,
    );
    this.name = 'ApprovalElsewhereError';
  }
}
