#!/usr/bin/env bash
# npm run bench: see scripts/bench.ts. Needs the local cluster up (scripts/cluster.sh up).
set -euo pipefail
# shellcheck source=lib/pulumi-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pulumi-env.sh"
cd "$POD_TO_POD_ROOT"
export KUBECONFIG="${KUBECONFIG:-$POD_TO_POD_STATE/kubeconfig.yaml}"
exec node_modules/.bin/tsx scripts/bench.ts "$@"
