import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One invalid prop: which, what is wrong, the value received and how to fix it. */
export interface PropProblem {
  readonly prop: string;
  readonly message: string;
  readonly received: unknown;
  readonly fix: string;
}

/** True if a value is known at synth (not a token), so it can be validated. */
export const isResolved = (value: unknown): boolean => value !== undefined && !Token.isUnresolved(value);

/** Throws ONE error listing every problem (what, received, how to fix), or returns if there are none. */
export function throwIfProblems(construct: IConstruct, className: string, problems: readonly PropProblem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map(
    (p) => `  - ${p.prop}: ${p.message}; received ${JSON.stringify(p.received) ?? 'nothing'}. Fix: ${p.fix}.`,
  );
  throw new Error(
    [
      `${className} ${construct.node.path}: ${problems.length} invalid prop${problems.length === 1 ? '' : 's'}`,
      ...lines,
    ].join('\n'),
  );
}
