import { approvalGate, countApprovals, principalKey } from '../../../lambda/shared/approvals/rule';
import { approvalSettingsOf } from '../../../lambda/shared/approvals/settings';
import type { ApprovalRecord } from '../../../lambda/shared/approvals/types';
import type { TransactionRecord } from '../../../lambda/shared/ledger';

const INITIATOR = 'arn:aws:sts::1:assumed-role/Svc/intake';
const A = 'arn:aws:sts::1:assumed-role/Approver/alice';
const B = 'arn:aws:sts::1:assumed-role/Approver/bob';
const HASH = 'a'.repeat(64);
const approval = (principal: string, at = '2026-12-02T13:00:00.000Z', requestHash = HASH): ApprovalRecord => ({
  principal,
  at,
  token: 't',
  saw: {
    to: '0x',
    value: '1',
    gasLimit: '1',
    maxFeePerGas: '1',
    maxPriorityFeePerGas: '1',
    feeCapWei: '1',
    requestHash,
  },
});
const tx = (approvals: Record<string, ApprovalRecord>, extra: Partial<TransactionRecord> = {}): TransactionRecord =>
  ({
    walletId: 'w-1',
    txId: 't-1',
    address: '0x1',
    status: 'queued',
    request: { to: '0x4', value: '5000', gasLimit: '21000', maxFeePerGas: '2', maxPriorityFeePerGas: '1', chainId: 1 },
    requestHash: HASH,
    idempotencyKey: 'k',
    intakeRegion: 'us-east-2',
    createdAt: '2026-12-02T12:00:00.000Z',
    updatedAt: '2026-12-02T12:00:00.000Z',
    initiator: INITIATOR,
    approvalRequired: 2,
    approvalExpiresAt: '2026-12-03T12:00:00.000Z',
    approvals,
    ...extra,
  }) as TransactionRecord;
const keyed = (...records: ApprovalRecord[]) => Object.fromEntries(records.map((r) => [principalKey(r.principal), r]));

describe('countApprovals', () => {
  test('two distinct non-initiator approvals for this hash, in time: satisfied', () => {
    expect(countApprovals(tx(keyed(approval(A), approval(B))), 2).satisfied).toBe(true);
  });
  test.each([
    ['the initiator', () => keyed(approval(A), approval(INITIATOR)), 'is the initiator'],
    ['for another hash', () => keyed(approval(A), approval(B, undefined, 'b'.repeat(64))), 'approved request'],
    ['after expiry', () => keyed(approval(A), approval(B, '2026-12-03T12:00:00.000Z')), 'after the request expired'],
    ['before the request', () => keyed(approval(A), approval(B, '2026-12-02T11:00:00.000Z')), 'before the request'],
    ['filed under another key', () => ({ ...keyed(approval(A)), 'someone-else': approval(B) }), 'names'],
  ])('fails: one approval is %s: not satisfied, and the reason is named', (_name, approvals, why) => {
    const count = countApprovals(tx(approvals()), 2);
    expect(count.satisfied).toBe(false);
    expect(count.valid).toHaveLength(1);
    expect(count.ignored.join(' ')).toContain(why);
  });
  test('fails: required 0 is never satisfied (an approval check without a count fails closed)', () => {
    expect(countApprovals(tx(keyed(approval(A), approval(B))), 0).satisfied).toBe(false);
  });
});

describe('approvalGate (the signer)', () => {
  test('signs what intake did not hold, and what has its approvals', () => {
    expect(approvalGate(tx({}, { approvalRequired: undefined }))).toBeUndefined();
    expect(approvalGate(tx(keyed(approval(A), approval(B))))).toBeUndefined();
  });
  test('fails: one approval of two', () => {
    expect(approvalGate(tx(keyed(approval(A))))).toContain('1 of 2 valid approvals');
  });
  test('fails: held, but no initiator recorded', () => {
    expect(approvalGate(tx(keyed(approval(A), approval(B)), { initiator: undefined }))).toContain('no initiator');
  });
});

test('approvalSettingsOf reads the runtime policy approvals (wei as a decimal string)', () => {
  expect(approvalSettingsOf(undefined)).toBeUndefined();
  expect(approvalSettingsOf({ thresholdWei: '10', required: 2, expiresAfterHours: 24 })).toEqual({
    thresholdWei: 10n,
    required: 2,
    expiresAfterHours: 24,
  });
});
