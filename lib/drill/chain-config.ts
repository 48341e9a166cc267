import { WalletConfig } from '../config/schema';

/** Providers in the config's `chain.providers` (0 without). */
export function configuredChainProviders(config: WalletConfig): number {
  return (config.chain as { providers?: readonly unknown[] } | undefined)?.providers?.length ?? 0;
}

/** `chain.health.minHealthyStandby` (2 when not set, as the alarm's default). */
export function configuredMinHealthyStandby(config: WalletConfig): number {
  return (config.chain as { health?: { minHealthyStandby?: number } } | undefined)?.health?.minHealthyStandby ?? 2;
}
