import { API_ERROR_STATUS } from '../../lib/contract/api-wire';
import {
  errorToHttp,
  IdempotencyConflictError,
  IntakeNotProvenError,
  MalformedJsonError,
  PayloadTooLargeError,
  RequestValidationError,
  RouteNotFoundError,
  ServiceDegradedError,
  TransactionNotFoundError,
  UnsupportedMediaTypeError,
  WalletError,
  WalletNotActiveError,
  WalletNotFoundError,
} from '../../lambda/shared/errors';
import {
  ApprovalElsewhereError,
  ApprovalForbiddenError,
  ApprovalRefusedError,
} from '../../lambda/shared/approvals/errors';
import { PolicyRefusedError } from '../../lambda/shared/policy/errors';

/**
 * The client (client/) decides what to retry from the codes and statuses in lib/contract/api-wire.ts;
 * the handler raises the errors in lambda/shared/errors.ts. They must agree, code for code.
 */
const RAISED: WalletError[] = [
  new RequestValidationError([{ field: 'body.to', message: 'bad', received: 'x', fix: 'fix' }]),
  new MalformedJsonError('Unexpected token', '{'),
  new UnsupportedMediaTypeError('text/plain'),
  new PayloadTooLargeError(9000, 8192),
  new WalletNotFoundError('w-1'),
  new WalletNotActiveError('w-1', 'frozen'),
  new TransactionNotFoundError('w-1', 't-1'),
  new RouteNotFoundError('GET', '/nowhere'),
  new IdempotencyConflictError('key-00001', 't-1'),
  new IntakeNotProvenError('us-west-2', 'no lease'),
  new ServiceDegradedError('us-east-2', undefined, undefined),
  new ApprovalRefusedError('expired', 'expired'),
  new ApprovalForbiddenError('the initiator'),
  new ApprovalElsewhereError('us-west-2', 'us-east-2'),
  new PolicyRefusedError({ kind: 'refuse', rule: 'velocity', limit: '5 wei per 1h', message: 'm' }, 'v1'),
];

test.each(RAISED.map((e) => [e.code, e.statusCode]))(
  'the handler error %s (HTTP %s) is in the wire contract with its status',
  (code, status) => {
    expect(API_ERROR_STATUS[code as keyof typeof API_ERROR_STATUS]).toBe(status);
  },
);

test('the generic 500 is in the wire contract', () => {
  const { statusCode, body } = errorToHttp(new Error('boom'), 'r-1');
  expect(API_ERROR_STATUS[body.error.code as keyof typeof API_ERROR_STATUS]).toBe(statusCode);
});

test('every code in the wire contract is one the handler raises', () => {
  const raised = new Set([...RAISED.map((e) => e.code), errorToHttp(new Error('x')).body.error.code]);
  expect(Object.keys(API_ERROR_STATUS).filter((c) => !raised.has(c))).toEqual([]);
});

test('the two 503s carry the Retry-After the client honours', () => {
  expect(new IntakeNotProvenError('us-west-2', 'x').headers).toEqual({ 'Retry-After': '30' });
  expect(new ServiceDegradedError('us-east-2', undefined, undefined).headers).toEqual({ 'Retry-After': '60' });
});
