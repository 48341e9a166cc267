import { RootConstruct } from 'constructs';
import { onePass, perPass } from '../../lib/security/rules/one-pass';

/** lib/security/rules/one-pass.ts: whole-app facts shared within one validation pass, never beyond. */
describe('perPass', () => {
  const counter = () => {
    let calls = 0;
    return {
      compute: () => ++calls,
      get calls() {
        return calls;
      },
    };
  };

  test('outside a pass it computes on every call (a test may change the tree between validations)', () => {
    const root = new RootConstruct();
    const c = counter();
    expect([perPass('k', root, c.compute), perPass('k', root, c.compute)]).toEqual([1, 2]);
  });

  test('inside one pass it computes once per key and root', () => {
    const [a, b] = [new RootConstruct(), new RootConstruct()];
    const c = counter();
    const seen = onePass(() => [
      perPass('k', a, c.compute),
      perPass('k', a, c.compute),
      perPass('k', b, c.compute),
      perPass('other', a, c.compute),
    ]);
    expect(seen).toEqual([1, 1, 2, 3]);
    expect(c.calls).toBe(3);
  });

  test('fails stale facts: a second pass computes afresh, and so does a call after the pass', () => {
    const root = new RootConstruct();
    const c = counter();
    expect(onePass(() => perPass('k', root, c.compute))).toBe(1);
    expect(onePass(() => perPass('k', root, c.compute))).toBe(2);
    expect(perPass('k', root, c.compute)).toBe(3);
  });

  test('a nested pass has its own facts and gives the outer pass its own back', () => {
    const root = new RootConstruct();
    const c = counter();
    const seen = onePass(() => {
      const outer = perPass('k', root, c.compute);
      const inner = onePass(() => perPass('k', root, c.compute));
      return [outer, inner, perPass('k', root, c.compute)];
    });
    expect(seen).toEqual([1, 2, 1]);
  });

  test('a computation that throws is not remembered, and a throwing pass leaves no pass open', () => {
    const root = new RootConstruct();
    let fail = true;
    const compute = () => {
      if (fail) throw new Error('boom');
      return 'ok';
    };
    const inOnePass = onePass(() => {
      expect(() => perPass('k', root, compute)).toThrow('boom');
      fail = false;
      return perPass('k', root, compute);
    });
    expect(inOnePass).toBe('ok');
    fail = true;
    expect(() => onePass(() => perPass('k', root, compute))).toThrow('boom');
    // No pass is left open after the throw: outside a pass every call computes again.
    const c = counter();
    expect([perPass('k', root, c.compute), perPass('k', root, c.compute)]).toEqual([1, 2]);
  });
});
