import { approvalGate, approvalRequirement, countApprovals, principalKey } from '../../../lambda/shared/approvals/rule';
import { loadApprovalSettings } from '../../../lambda/shared/approvals/settings';
import type { ApprovalRecord, ApprovalSettings } from '../../../lambda/shared/approvals/types';
import type { TransactionRecord } from '../../../lambda/shared/ledger';

const SETTINGS: ApprovalSettings = { thresholdWei: 1000n, required: 2, expiresAfterHours: 24 };
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

describe('approvalRequirement (the minimal rule until the policy engine)', () => {
  test.each([
    ['999', false],
    ['1000', true],
    ['5000', true],
  ])('amount %s wei against a threshold of 1000: required %s', (value, required) => {
    const r = approvalRequirement('w-1', { ...tx({}).request, value }, SETTINGS);
    expect(r.required).toBe(required);
  });
  test('no settings, or the canary wallet: never required', () => {
    expect(approvalRequirement('w-1', tx({}).request, undefined).required).toBe(false);
    expect(approvalRequirement('canary', { ...tx({}).request, canary: true }, SETTINGS).required).toBe(false);
  });
});

describe('countApprovals', () => {
  test('two distinct non-initiator approvals for this hash, in time: satisfied', () => {
    expect(countApprovals(tx(keyed(approval(A), approval(B))), 2).satisfied).toBe(true);
  });
  test.each([
    ['the initiator', () => keyed(approval(A), approval(INITIATOR)), 'is the initiator'],
    ['another hash', () => keyed(approval(A), approval(B, undefined, 'b'.repeat(64))), 'approved request'],
    ['after expiry', () => keyed(approval(A), approval(B, '2026-12-03T12:00:00.000Z')), 'after the request expired'],
    ['before the request', () => keyed(approval(A), approval(B, '2026-12-02T11:00:00.000Z')), 'before the request'],
    ['filed under another key', () => ({ ...keyed(approval(A)), 'someone-else': approval(B) }), 'names'],
  ])('fails: one approval is %s: not satisfied, and the reason is named', (_name, approvals, why) => {
    const count = countApprovals(tx(approvals()), 2);
    expect(count.satisfied).toBe(false);
    expect(count.valid).toHaveLength(1);
    expect(count.ignored.join(' ')).toContain(why);
  });
  test('principals compare case-insensitively (the same principal twice in two spellings counts once)', () => {
    const count = countApprovals(
      tx({ [principalKey(A)]: approval(A), [principalKey(A.toUpperCase())]: approval(A.toUpperCase()) }),
      2,
    );
    expect(count.valid).toHaveLength(1);
  });
});

describe('approvalGate (the signer)', () => {
  test('signs what needs no approval and what has its approvals', () => {
    expect(
      approvalGate(tx({}, { approvalRequired: undefined, request: { ...tx({}).request, value: '1' } }), SETTINGS),
    ).toBeUndefined();
    expect(approvalGate(tx(keyed(approval(A), approval(B))), SETTINGS)).toBeUndefined();
  });
  test('fails: one approval of two', () => {
    expect(approvalGate(tx(keyed(approval(A))), SETTINGS)).toContain('1 of 2 valid approvals');
  });
  test('fails: the policy now requires more than intake recorded', () => {
    expect(approvalGate(tx(keyed(approval(A), approval(B))), { ...SETTINGS, required: 3 })).toContain('2 of 3');
  });
});

describe('loadApprovalSettings', () => {
  test('absent: no approvals; present: parsed', () => {
    expect(loadApprovalSettings({})).toBeUndefined();
    expect(
      loadApprovalSettings({
        SPENDING_POLICY: '{"approvals":{"thresholdWei":"10","required":2,"expiresAfterHours":24}}',
      }),
    ).toEqual({ thresholdWei: 10n, required: 2, expiresAfterHours: 24 });
  });
  test('fails: every problem at once, with the value received', () => {
    expect(() =>
      loadApprovalSettings({ SPENDING_POLICY: '{"approvals":{"thresholdWei":1,"required":0,"expiresAfterHours":-1}}' }),
    ).toThrow(/thresholdWei.*received 1.*required.*received 0.*expiresAfterHours.*received -1/);
  });
});
