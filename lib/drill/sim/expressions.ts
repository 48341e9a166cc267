/**
 * The subset of DynamoDB expressions the lease module uses, evaluated on plain (document client)
 * items: conditions joined by AND of `attr = :value` and `attribute_not_exists(attr)`, and SET
 * clauses of `attr = :value` and `attr = attr + :value`. Anything else is an error that names the
 * expression, so the simulated table never silently accepts what it cannot evaluate.
 */
export type Item = Record<string, unknown>;
export type Values = Record<string, unknown>;

export class UnsupportedExpressionError extends Error {
  constructor(kind: string, expression: string) {
    super(
      `the simulated DynamoDB does not support this ${kind} expression: ${JSON.stringify(expression)}; extend lib/drill/sim/expressions.ts`,
    );
    this.name = 'UnsupportedExpressionError';
  }
}

const value = (values: Values, token: string, kind: string, expression: string): unknown => {
  if (!token.startsWith(':') || !(token in values)) throw new UnsupportedExpressionError(kind, expression);
  return values[token];
};

/** True when `item` (undefined = no item) satisfies `expression`. */
export function evaluateCondition(expression: string, item: Item | undefined, values: Values = {}): boolean {
  return expression.split(/\s+AND\s+/i).every((clause) => {
    const c = clause.trim();
    const notExists = /^attribute_not_exists\((\w+)\)$/.exec(c);
    if (notExists) return item === undefined || item[notExists[1]] === undefined;
    const exists = /^attribute_exists\((\w+)\)$/.exec(c);
    if (exists) return item !== undefined && item[exists[1]] !== undefined;
    const eq = /^(\w+)\s*=\s*(:\w+)$/.exec(c);
    if (eq) return item !== undefined && item[eq[1]] === value(values, eq[2], 'condition', expression);
    throw new UnsupportedExpressionError('condition', expression);
  });
}

/** Applies a SET update expression to a copy of `item`. */
export function applyUpdate(expression: string, item: Item, values: Values = {}): Item {
  const set = /^SET\s+(.+)$/i.exec(expression.trim());
  if (!set) throw new UnsupportedExpressionError('update', expression);
  const next: Item = { ...item };
  for (const assignment of set[1].split(',')) {
    const plain = /^(\w+)\s*=\s*(:\w+)$/.exec(assignment.trim());
    const add = /^(\w+)\s*=\s*(\w+)\s*\+\s*(:\w+)$/.exec(assignment.trim());
    if (plain) {
      next[plain[1]] = value(values, plain[2], 'update', expression);
    } else if (add && add[1] === add[2]) {
      next[add[1]] = Number(item[add[2]] ?? 0) + Number(value(values, add[3], 'update', expression));
    } else {
      throw new UnsupportedExpressionError('update', expression);
    }
  }
  return next;
}
