import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { namedRule, NOT_APPLICABLE, props, verdict } from './util';

/**
 * A signing key is a multi-region asymmetric secp256k1 SIGN_VERIFY key with the maximum (30-day)
 * deletion window, so its replicas sign for the same wallet address.
 */
export default namedRule('SigningKeySpec', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NOT_APPLICABLE;
  const p = props(node);
  if (p.KeyUsage !== 'SIGN_VERIFY') return NOT_APPLICABLE;
  return verdict(
    p.KeySpec === 'ECC_SECG_P256K1' &&
      p.MultiRegion === true &&
      typeof p.PendingWindowInDays === 'number' &&
      p.PendingWindowInDays >= 30,
  );
});
