/**
 * A small seedable generator (mulberry32): the same seed gives the same Monte Carlo figures on
 * every machine, so the committed report only changes when the templates do. (The drill branch
 * ships the same generator in lib/drill/random.ts; keep one when both are merged.)
 */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
