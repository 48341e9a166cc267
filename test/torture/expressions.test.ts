import { applyUpdate, evaluateCondition, UnsupportedExpressionError } from '../../lib/drill/sim/expressions';

/** The simulated DynamoDB's expressions (drill world and torture harness) against what the ledger sends. */
describe('evaluateCondition', () => {
  const tx = { pk: 'W#1', status: 'nonce-assigned', nonce: 3 };

  test('OR of parenthesised AND groups with #names (assignNonce)', () => {
    const expr = '(attribute_not_exists(nonce) AND #status = :queued) OR (nonce = :n AND #status = :assigned)';
    const names = { '#status': 'status' };
    const values = { ':queued': 'queued', ':assigned': 'nonce-assigned', ':n': 3 };
    expect(evaluateCondition(expr, tx, values, names)).toBe(true);
    expect(evaluateCondition(expr, { ...tx, nonce: 4 }, values, names)).toBe(false);
    expect(evaluateCondition(expr, { pk: 'W#1', status: 'queued' }, values, names)).toBe(true);
  });

  test('a missing item fails equality and passes attribute_not_exists; <> on a missing attribute is true', () => {
    expect(evaluateCondition('attribute_not_exists(pk)', undefined)).toBe(true);
    expect(evaluateCondition('epoch = :e', undefined, { ':e': 1 })).toBe(false);
    expect(evaluateCondition('epoch <> :e', { pk: 'x' }, { ':e': 1 })).toBe(true);
    expect(evaluateCondition('NOT attribute_exists(pk)', { pk: 'x' })).toBe(false);
  });

  test('BETWEEN and begins_with (key conditions)', () => {
    const item = { pk: 'NONCE#a', sk: 'RESERVED#0003' };
    const values = { ':p': 'NONCE#a', ':lo': 'RESERVED#0001', ':hi': 'RESERVED#0005', ':b': 'RESERVED#' };
    expect(evaluateCondition('pk = :p AND sk BETWEEN :lo AND :hi', item, values)).toBe(true);
    expect(evaluateCondition('begins_with(sk, :b)', item, values)).toBe(true);
    expect(evaluateCondition('sk > :hi', item, values)).toBe(false);
  });

  test('fails with UnsupportedExpressionError naming the expression on what it cannot evaluate', () => {
    expect(() => evaluateCondition('size(a) > :n', { a: 'x' }, { ':n': 1 })).toThrow(UnsupportedExpressionError);
    expect(() => evaluateCondition('a = :missing', { a: 1 })).toThrow(/a = :missing/);
    expect(() => evaluateCondition('#unknown = :v', { a: 1 }, { ':v': 1 })).toThrow(UnsupportedExpressionError);
  });
});

test('IN (...) is true when the attribute equals one of the list, false when missing (the sweep-control marks)', () => {
  const expr = 'sweepId = :id AND #state IN (:claimed, :submitted)';
  const names = { '#state': 'state' };
  const values = { ':id': 's1', ':claimed': 'claimed', ':submitted': 'submitted' };
  expect(evaluateCondition(expr, { sweepId: 's1', state: 'submitted' }, values, names)).toBe(true);
  expect(evaluateCondition(expr, { sweepId: 's1', state: 'idle' }, values, names)).toBe(false);
  expect(evaluateCondition(expr, { sweepId: 's1' }, values, names)).toBe(false);
});

describe('applyUpdate', () => {
  test('SET a = if_not_exists(a, :v) keeps a present value and fills a missing one', () => {
    const expr = 'SET #state = :s, submittedAt = if_not_exists(submittedAt, :at) REMOVE txId';
    const names = { '#state': 'state' };
    const values = { ':s': 'submitted', ':at': 'T2' };
    expect(applyUpdate(expr, { pk: 'S', txId: 'x' }, values, names)).toEqual({
      pk: 'S',
      state: 'submitted',
      submittedAt: 'T2',
    });
    expect(applyUpdate(expr, { pk: 'S', submittedAt: 'T1' }, values, names)).toEqual({
      pk: 'S',
      state: 'submitted',
      submittedAt: 'T1',
    });
  });

  test('SET with #names and a counter, REMOVE of several attributes, on a copy', () => {
    const before = { pk: 'L', nextNonce: 4, alloc_t1: 3, signedRaw: '0x', txHash: '0x1' };
    const after = applyUpdate(
      'SET nextNonce = nextNonce + :one, #a = :seen REMOVE signedRaw, txHash',
      before,
      { ':one': 1, ':seen': 4 },
      { '#a': 'alloc_t2' },
    );
    expect(after).toEqual({ pk: 'L', nextNonce: 5, alloc_t1: 3, alloc_t2: 4 });
    expect(before.nextNonce).toBe(4);
    expect(applyUpdate('REMOVE #a', after, {}, { '#a': 'alloc_t1' })).not.toHaveProperty('alloc_t1');
  });

  test('fails on an ADD clause or a counter over a missing attribute', () => {
    expect(() => applyUpdate('ADD n :one', {}, { ':one': 1 })).toThrow(UnsupportedExpressionError);
    expect(() => applyUpdate('SET n = n + :one', {}, { ':one': 1 })).toThrow(UnsupportedExpressionError);
  });
});
