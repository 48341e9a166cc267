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
