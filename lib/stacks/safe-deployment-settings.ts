import { WalletConfig } from '../config/schema';
import { RegionalSafeDeploymentProps } from '../constructs/regional-safe-deployment';

/** The RegionalSafeDeployment props that come from config alone. */
/** Maps the config beside the stacks (constructs take typed props, never the config). */
export function safeDeploymentSettings(
  config: WalletConfig,
): Pick<
  RegionalSafeDeploymentProps,
  'envName' | 'shifting' | 'apiLatencyBudgetMs' | 'healthLatencyBudgetMs' | 'chainId'
> {
  return {
    envName: config.envName,
    shifting: { api: config.deployment.api, signer: config.deployment.signer },
    apiLatencyBudgetMs: config.alarms.apiLatencyP99.thresholdMs,
    healthLatencyBudgetMs: config.canary.maxLatencyMs,
    chainId: config.chain.chainId,
  };
}
