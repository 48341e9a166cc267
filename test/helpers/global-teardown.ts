import { rmSync } from 'node:fs';
import type { SharedMotoHandle } from './global-setup';

/** Jest globalTeardown: stops the shared moto_server the global setup spawned, removes its status dir. */
export default async function globalTeardown(): Promise<void> {
  const moto = (globalThis as { __walletSharedMoto?: SharedMotoHandle }).__walletSharedMoto;
  moto?.stop();
  if (moto !== undefined) rmSync(moto.statusDir, { recursive: true, force: true });
}
