/**
 * DynamoDB expressions evaluated on plain (document client) items, for the simulated AWS of the
 * drill (./world.ts) and the fault-injection harness (torture/): condition and key-condition
 * expressions with AND, OR, NOT, parentheses, `= <> < <= > >=`, `BETWEEN`, `IN (...)`,
 * `attribute_exists`, `attribute_not_exists` and `begins_with`; update expressions with SET
 * (`a = :v`, `a = a + :v`, `a = if_not_exists(a, :v)`) and REMOVE clauses; `#name` placeholders. Anything else is an error that names the expression, so a
 * simulated table never silently accepts what it cannot evaluate.
 *
 * "If the condition expression evaluates to false, DynamoDB returns ConditionalCheckFailedException";
 * a comparison with a missing attribute is false, and `<>` with a missing attribute is true
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html).
 */
export type Item = Record<string, unknown>;
export type Values = Record<string, unknown>;
export type Names = Record<string, string>;

export class UnsupportedExpressionError extends Error {
  constructor(kind: string, expression: string) {
    super(
      `the simulated DynamoDB does not support this ${kind} expression: ${JSON.stringify(expression)}; extend lib/drill/sim/expressions.ts`,
    );
    this.name = 'UnsupportedExpressionError';
  }
}

const TOKEN = /\s*(<>|<=|>=|=|<|>|\(|\)|,|\+|[#:]?[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string, kind: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expression.length) {
    if (expression.slice(at).trim() === '') break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(expression);
    if (m === null) throw new UnsupportedExpressionError(kind, expression);
    out.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return out;
}

type Operand = { path: string } | { value: unknown };

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly expression: string,
    private readonly kind: string,
    private readonly values: Values,
    private readonly names: Names,
  ) {}

  fail(): never {
    throw new UnsupportedExpressionError(this.kind, this.expression);
  }
  peek(): string | undefined {
    return this.tokens[this.i];
  }
  next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) this.fail();
    return t;
  }
  expect(t: string): void {
    if (this.next().toUpperCase() !== t) this.fail();
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  is(word: string): boolean {
    return this.peek()?.toUpperCase() === word;
  }

  path(token: string): string {
    if (token.startsWith('#')) {
      const name = this.names[token];
      if (name === undefined) this.fail();
      return name;
    }
    if (token.startsWith(':') || !/^[A-Za-z_]/.test(token)) this.fail();
    return token;
  }
  operand(): Operand {
    const t = this.next();
    if (t.startsWith(':')) {
      if (!(t in this.values)) this.fail();
      return { value: this.values[t] };
    }
    return { path: this.path(t) };
  }

  /** condition := and (OR and)* */
  or(item: Item | undefined): boolean {
    let result = this.and(item);
    while (this.is('OR')) {
      this.next();
      result = this.and(item) || result;
    }
    return result;
  }
  and(item: Item | undefined): boolean {
    let result = this.not(item);
    while (this.is('AND')) {
      this.next();
      result = this.not(item) && result;
    }
    return result;
  }
  not(item: Item | undefined): boolean {
    if (this.is('NOT')) {
      this.next();
      return !this.not(item);
    }
    return this.primary(item);
  }
  primary(item: Item | undefined): boolean {
    if (this.peek() === '(') {
      this.next();
      const r = this.or(item);
      this.expect(')');
      return r;
    }
    const fn = this.peek();
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists' || fn === 'begins_with') {
      this.next();
      this.expect('(');
      const name = this.path(this.next());
      let prefix: unknown;
      if (fn === 'begins_with') {
        this.expect(',');
        const o = this.operand();
        prefix = 'value' in o ? o.value : item?.[o.path];
      }
      this.expect(')');
      const present = item !== undefined && item[name] !== undefined;
      if (fn === 'attribute_exists') return present;
      if (fn === 'attribute_not_exists') return !present;
      const v = item?.[name];
      return typeof v === 'string' && typeof prefix === 'string' && v.startsWith(prefix);
    }
    const left = this.resolve(this.operand(), item);
    if (this.is('BETWEEN')) {
      this.next();
      const lo = this.resolve(this.operand(), item);
      this.expect('AND');
      const hi = this.resolve(this.operand(), item);
      return compare(left, lo, '>=') && compare(left, hi, '<=');
    }
    if (this.is('IN')) {
      // "a IN (b, c, d): true if a is equal to any value in the list" (at most 100 values).
      this.next();
      this.expect('(');
      let any = false;
      do {
        any = compare(left, this.resolve(this.operand(), item), '=') || any;
      } while (this.peek() === ',' && this.next() === ',');
      this.expect(')');
      return any;
    }
    const op = this.next();
    if (!['=', '<>', '<', '<=', '>', '>='].includes(op)) this.fail();
    return compare(left, this.resolve(this.operand(), item), op);
  }
  resolve(o: Operand, item: Item | undefined): unknown {
    return 'value' in o ? o.value : item?.[o.path];
  }
}

function compare(a: unknown, b: unknown, op: string): boolean {
  if (op === '<>') return a === undefined || b === undefined || !sameValue(a, b);
  if (a === undefined || b === undefined) return false;
  if (op === '=') return sameValue(a, b);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** True when `item` (undefined = no item) satisfies `expression` (a condition or key condition). */
export function evaluateCondition(
  expression: string,
  item: Item | undefined,
  values: Values = {},
  names: Names = {},
): boolean {
  const p = new Parser(tokenize(expression, 'condition'), expression, 'condition', values, names);
  const result = p.or(item);
  if (!p.done()) p.fail();
  return result;
}

/** Applies a SET / REMOVE update expression to a copy of `item`. */
export function applyUpdate(expression: string, item: Item, values: Values = {}, names: Names = {}): Item {
  const p = new Parser(tokenize(expression, 'update'), expression, 'update', values, names);
  const next: Item = { ...item };
  if (p.done()) p.fail();
  while (!p.done()) {
    const section = p.next().toUpperCase();
    if (section === 'SET') {
      do {
        const target = p.path(p.next());
        p.expect('=');
        if (p.peek() === 'if_not_exists') {
          // "if_not_exists (path, value): if the item does not contain an attribute at the specified path"
          p.next();
          p.expect('(');
          const path = p.path(p.next());
          p.expect(',');
          const fallback = p.resolve(p.operand(), item);
          p.expect(')');
          next[target] = item[path] !== undefined ? item[path] : fallback;
          continue;
        }
        const first = p.resolve(p.operand(), item);
        if (p.peek() === '+') {
          p.next();
          const second = p.resolve(p.operand(), item);
          if (typeof first !== 'number' || typeof second !== 'number') return p.fail();
          next[target] = first + second;
        } else {
          next[target] = first;
        }
      } while (p.peek() === ',' && p.next() === ',');
    } else if (section === 'REMOVE') {
      do {
        delete next[p.path(p.next())];
      } while (p.peek() === ',' && p.next() === ',');
    } else {
      p.fail();
    }
  }
  return next;
}
