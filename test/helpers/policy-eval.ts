// The evaluator lives in lib/security (the deployer-lock-out rule and npm run verify use it too).
export * from '../../lib/security/policy-eval';
