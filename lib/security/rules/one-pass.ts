import { IConstruct } from 'constructs';

/**
 * Whole-app facts a rule derives from the tree (e.g. every stack's rendered template), computed once
 * per validation pass instead of once per resource the rule looks at. A pass (WalletChecks'
 * validateScope) only reads the tree, so within it the facts cannot change; outside a pass nothing
 * is cached and every call computes afresh (a test may change the tree between two validations).
 */
let pass: Map<string, WeakMap<IConstruct, unknown>> | undefined;

/** Runs `fn` as one validation pass: `perPass` results are shared until it returns. */
export function onePass<T>(fn: () => T): T {
  const outer = pass;
  pass = new Map();
  try {
    return fn();
  } finally {
    pass = outer;
  }
}

/**
 * `compute(scope)`, once per pass for each `key` and construct (the app's root for a whole-app fact,
 * or one resource); every call computes when no pass is running.
 */
export function perPass<T>(key: string, scope: IConstruct, compute: (scope: IConstruct) => T): T {
  if (pass === undefined) return compute(scope);
  let byScope = pass.get(key);
  if (byScope === undefined) {
    byScope = new WeakMap();
    pass.set(key, byScope);
  }
  if (!byScope.has(scope)) byScope.set(scope, compute(scope));
  return byScope.get(scope) as T;
}
