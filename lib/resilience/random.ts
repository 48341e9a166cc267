import { createRng as createDrillRng } from '../drill/random';

/** A seeded float generator in [0, 1): the drill's mulberry32 generator, as a plain function. */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  return createDrillRng(seed).next;
}
