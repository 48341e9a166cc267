import { WalletConfig } from '../config/schema';

/** Providers in the config's `chain.providers` (0 without). */
export function configuredChainProviders(config: WalletConfig): number {
  // Minimal model configs (the resilience report's timing runs) may carry no chain section.
  return (config.chain as WalletConfig['chain'] | undefined)?.providers?.length ?? 0;
}

/** `chain.health.minHealthyStandby` (the alarm's threshold). */
export function configuredMinHealthyStandby(config: WalletConfig): number {
  return (config.chain as WalletConfig['chain'] | undefined)?.health?.minHealthyStandby ?? 2;
}
