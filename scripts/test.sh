#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then every test.
#   1. npm packages, lint and unit tests (no cluster, no CLI)
#   2. the offline Pulumi toolchain, and real `pulumi preview` tests (no cluster)
#   3. the local k3s cluster: the program's objects and the real check runner, with faults
#      injected; then the pulumi up / no-op up / verify / destroy lifecycle; then the cluster is
#      torn down and the machine compared with how it was before
# Heavy builds are cached under $POD_TO_POD_CACHE, so only a first run is slow.
#
# The toolchain cannot be built on machines whose Go proxy lacks the pinned Pulumi modules
# (docs/toolchain.md). Then the tests that need the Pulumi CLI do not run, and this script says so
# in its last line rather than passing quietly; everything else still runs.
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
cd "$POD_TO_POD_ROOT"
started=$SECONDS

rm -rf reports
step "lint and unit tests"
npm test

step "Pulumi toolchain (built once from the Go module proxy, then cached)"
not_run=()
if bash scripts/toolchain.sh; then
  step "real pulumi preview tests"
  VITEST_REPORT_NAME=preview npm run test:real
  have_pulumi=1
else
  have_pulumi=0
  not_run+=("test/real/preview.test.ts and test/real/pulumiLifecycle.test.ts (no Pulumi toolchain: see the error above and docs/toolchain.md)")
fi

step "local k3s cluster"
# What the machine looked like before, to show that `down` puts it back.
machine_state() {
  # Each listing may legitimately be empty (grep then exits 1): that must not end the script.
  { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort || true
    ip netns list 2>/dev/null | awk '{print $1}' | sort || true
    iptables-save 2>/dev/null | grep '^-A' | sort || true
    awk '{print $2}' /proc/mounts | sort || true; } 2>/dev/null
}
# A run that was killed may have left a cluster behind: clear it first, so the comparison below is
# against a machine without one.
bash scripts/cluster.sh down
before=$(mktemp)
machine_state >"$before"
trap 'step "tearing the cluster down"; bash scripts/cluster.sh down' EXIT
bash scripts/cluster.sh up
export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"

step "the program's objects and the real check runner on the cluster, with faults injected"
VITEST_REPORT_NAME=cluster npm run test:cluster
if ((have_pulumi)); then
  step "pulumi lifecycle: up, no-op up, verify, destroy"
  VITEST_REPORT_NAME=lifecycle npm run test:e2e
fi

step "tearing the cluster down"
trap - EXIT
bash scripts/cluster.sh down
after=$(mktemp)
machine_state >"$after"
if ! diff -u "$before" "$after"; then
  echo "cluster.sh down left the machine different from how it found it (diff above)" >&2
  exit 1
fi
step "all tests that ran passed, in $((SECONDS - started)) s"
for item in "${not_run[@]}"; do
  echo "NOT RUN: $item"
done
# One closing line over every vitest report this run wrote.
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    const report = require(file);
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$POD_TO_POD_ROOT"/reports/unit.json "$POD_TO_POD_ROOT"/reports/real-*.json
