import * as path from 'node:path';
import { applicableControlTowerRules } from '../../lib/security/guard-rules';

const names = (files: string[]) => files.map((f) => path.basename(f, '.guard'));

test('selects exactly the Control Tower rules that name a resource type present', () => {
  const rules = names(applicableControlTowerRules(new Set(['AWS::SQS::Queue'])));
  expect(rules).toEqual(expect.arrayContaining(['ct-sqs-pr-1', 'ct-sqs-pr-2']));
  expect(rules.filter((r) => r.startsWith('ct-rds-'))).toEqual([]);
});

test('a resource type brings its rules in (RDS rules appear once an RDS instance exists)', () => {
  const without = applicableControlTowerRules(new Set(['AWS::SQS::Queue']));
  const withRds = applicableControlTowerRules(new Set(['AWS::SQS::Queue', 'AWS::RDS::DBInstance']));
  expect(names(withRds).filter((r) => r.startsWith('ct-rds-')).length).toBeGreaterThan(5);
  expect(withRds.length).toBeGreaterThan(without.length);
});
