#!/usr/bin/env bash
# Writes secrets.KUBECONFIG (passed as KUBECONFIG_CONTENT) to a mode-600 file in $RUNNER_TEMP,
# which the runner empties after the job, and points KUBECONFIG at it for the later steps. Without
# that secret nothing changes: the kubernetes provider and `npm run verify` use the stack's
# kubernetes:kubeconfig, or else the runner's own KUBECONFIG or ~/.kube/config.
set -euo pipefail

if [[ -z "${KUBECONFIG_CONTENT:-}" ]]; then
  echo "No secrets.KUBECONFIG: the stack's kubernetes:kubeconfig, or the runner's KUBECONFIG, is used"
  exit 0
fi
file="${RUNNER_TEMP:?RUNNER_TEMP is set by the runner}/kubeconfig"
install -m 600 /dev/null "$file"
printf '%s\n' "$KUBECONFIG_CONTENT" >"$file"
echo "KUBECONFIG=$file" >>"${GITHUB_ENV:?GITHUB_ENV is set by the runner}"
echo "KUBECONFIG is $file (from secrets.KUBECONFIG)"
