import { WalletConfig } from '../config/schema';
import { runtimeSpendingPolicy } from '../config/spending';
import { RegionalWalletProps } from '../constructs/regional-wallet';

/** The RegionalWallet props that come from config alone, the same in both regions. */
export function regionalWalletSettings(
  config: WalletConfig,
): Omit<RegionalWalletProps, 'regionRole' | 'table' | 'dataKey' | 'dataKeyId' | 'signingKeyArn' | 'sizing'> {
  return {
    envName: config.envName,
    primaryRegion: config.regions.primary,
    standbyRegion: config.regions.standby,
    chainId: config.chain.chainId,
    consistency: config.data.consistency,
    throttle: { rateLimit: config.api.throttleRateLimit, burstLimit: config.api.throttleBurstLimit },
    wafRateLimitPerIp: config.api.wafRateLimitPerIp,
    spendingPolicy: runtimeSpendingPolicy(config.spending),
  };
}
