#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then every test.
#   1. npm packages, lint and unit tests (no cluster, no CLI)
#   2. the offline Pulumi toolchain, and real `pulumi preview` tests (no cluster)
#   3. the local k3s cluster, the end-to-end test, and the cluster torn down again
# Heavy builds are cached under $POD_TO_POD_CACHE, so only a first run is slow.
# SKIP_E2E=1 stops after step 2 (for machines that cannot run a cluster).
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
cd "$POD_TO_POD_ROOT"
started=$SECONDS

step "lint and unit tests"
npm test

step "Pulumi toolchain (built once from the Go module proxy, then cached)"
bash scripts/toolchain.sh

step "real pulumi preview tests"
npm run test:real

if [[ "${SKIP_E2E:-}" == 1 ]]; then
  step "SKIP_E2E=1: not running the end-to-end test"
  exit 0
fi

step "local k3s cluster"
# What the machine looked like before, to show that `down` puts it back.
machine_state() {
  { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
    ip netns list 2>/dev/null | awk '{print $1}' | sort
    iptables-save 2>/dev/null | grep '^-A' | sort
    awk '{print $2}' /proc/mounts | sort; } 2>/dev/null
}
before=$(mktemp)
machine_state >"$before"
trap 'step "tearing the cluster down"; bash scripts/cluster.sh down' EXIT
bash scripts/cluster.sh up
export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"

step "end-to-end test"
npm run test:e2e

step "tearing the cluster down"
trap - EXIT
bash scripts/cluster.sh down
after=$(mktemp)
machine_state >"$after"
if ! diff -u "$before" "$after"; then
  echo "cluster.sh down left the machine different from how it found it (diff above)" >&2
  exit 1
fi
step "all tests passed in $((SECONDS - started)) s"
