#!/usr/bin/env bash
# Lints every synthesized template with AWS's cfn-lint (the machine's Python has it).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
templates=(cdk.out/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "cfn-lint: no templates in cdk.out/; run 'npm run synth' first" >&2
  exit 1
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint: not found on PATH; install AWS's linter with 'pip install cfn-lint'" >&2
  exit 1
fi
echo "cfn-lint $(cfn-lint --version | awk '{print $2}') on ${#templates[@]} templates"
cfn-lint "${templates[@]}"
echo "cfn-lint: no findings"
