#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then every test.
#   0. as root, that this machine runs no k3s or CNI but the local cluster's own (else it stops)
#   1. npm packages, lint and the hermetic unit tests (no engine, cluster, network or Go)
#   2. the workflows, linted by actionlint (built once from the Go module proxy, cached)
#   3. the real Pulumi engine with no cluster: preview, config mistakes, the policy pack
#   4. the local k3s cluster: cluster.sh next to a foreign k3s (in a sandbox of its own), the
#      check runner against the program's objects with faults injected, the policy pack's Pod
#      Security Standards cases against the API server's own admission, the official images'
#      stand-ins, the general policy pack on a stack that is not the lab, then the real engine's
#      whole lifecycle (and with the default images), the package's Python, YAML and Go consumers,
#      across nodes, on every node (coverage every-node), its faults and stacks that meet in one
#      namespace; then the cluster is torn down and the machine compared with how it was before
# The engine is the user's kind: the pinned CLI and Node.js language host in
# $PULUMI_HOME/versions/<pin>/bin and the pinned providers in $PULUMI_HOME/plugins. Where any piece
# is missing, the tests that need it are named in a NOT RUN line, with what is missing.
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
# shellcheck source=lib/engine.sh
source "$POD_TO_POD_ROOT/scripts/lib/engine.sh"
cd "$POD_TO_POD_ROOT"
started=$SECONDS
reports=$(mktemp -d)
# Printed last, after the teardown, so that the end of the output (all a CI log may keep) says
# which tests failed and why.
failures() {
  [[ -n "$(ls "$reports"/*.json 2>/dev/null)" ]] || return 0
  node "$POD_TO_POD_ROOT/scripts/lib/failures.js" "$reports"/*.json
}
trap 'failures; rm -rf "$reports"' EXIT
not_run=()
consumers=""
suite() { # suite <report name> <npm script>
  VITEST_JSON_REPORT="$reports/$1.json" npm run --silent "$2"
}

# A k3s, cni0, flannel.1 or Kubernetes chains that the local cluster did not make (a user's own k3s
# on the VM): its `up` would take their names and its `down` remove them. Refuse before anything
# runs, naming what is there and where to run the tests instead. (As another user than root, the
# cluster step refuses to run anyway.)
if [[ $EUID -eq 0 ]]; then
  step "this machine: no k3s or CNI but the local cluster's own"
  bash local-cluster/cluster.sh check-host
fi

step "lint and unit tests"
# The lint runs Debian's shellcheck; a fresh machine gets it as cluster.sh gets its packages.
if ! command -v shellcheck >/dev/null 2>&1 && [[ $EUID -eq 0 ]]; then
  step "apt-get install shellcheck"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends shellcheck
fi
npm run --silent lint
suite unit test:unit

step "workflows (actionlint)"
suite workflows lint:workflows

missing=$(engine_missing)
if [[ -z "$missing" ]]; then
  step "the real Pulumi engine v$POD_TO_POD_PULUMI_VERSION, no cluster: preview, config, policy pack"
  suite engine test:engine
  step "the package: the schema pulumi package get-schema prints"
  suite package test:package
  # The Python consumer's SDK: a virtualenv in the user's cache, from PyPI, where python3 is here.
  if command -v python3 >/dev/null 2>&1; then
    bash scripts/python-sdk.sh >/dev/null || echo "could not install the Python SDK (see above)" >&2
  fi
  consumers=$(consumers_missing)
  if [[ -n "$consumers" ]]; then
    echo "The package's consumers cannot run here; missing:" >&2
    # shellcheck disable=SC2001 # a prefix on every line of a list
    sed 's/^/  - /' <<<"$consumers" >&2
    not_run+=("test/real/consumers.test.ts (missing: $(paste -sd ';' <<<"$consumers"))")
  else
    go_consumer=$(go_consumer_missing)
    if [[ -n "$go_consumer" ]]; then
      not_run+=("test/real/consumers.test.ts's Go program, examples/go (missing: $(paste -sd ';' <<<"$go_consumer"))")
    fi
  fi
else
  echo "No complete Pulumi engine here; missing:" >&2
  # shellcheck disable=SC2001 # a prefix on every line of a list, not one ${var//} substitution
  sed 's/^/  - /' <<<"$missing" >&2
  not_run+=("test/real/engine.preview.test.ts, test/real/package.test.ts, test/real/engine.lifecycle.test.ts, test/real/engine.officialImages.test.ts, test/real/engine.upgrade.test.ts, test/real/engine.nodes.test.ts, test/real/engine.mesh.test.ts, test/real/engine.faults.test.ts, test/real/engine.stacks.test.ts and test/real/consumers.test.ts (missing: $(paste -sd ';' <<<"$missing"))")
fi

step "local k3s cluster"
# What the machine looked like before, to show that `down` puts it back.
machine_state() {
  # Each listing may legitimately be empty (grep then exits 1): that must not end the script.
  { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort || true
    ip netns list 2>/dev/null | awk '{print $1}' | sort || true
    iptables-save 2>/dev/null | grep '^-A' | sort || true
    awk '{print $2}' /proc/mounts | sort || true
    # kube-router's ipsets (k3s's network policy controller), once ipset is installed.
    if command -v ipset >/dev/null; then ipset list -n | sed 's/^/ipset /' | sort || true; fi; } 2>/dev/null
}
step "cluster.sh next to a k3s it did not make, in a sandbox: it refuses, and down removes only what it recorded"
suite foreign test:foreign
# A run that was killed may have left a cluster behind: clear it first, so the comparison below is
# against a machine without one. (Only what its state file lists: anything else is left alone.)
bash local-cluster/cluster.sh down
before=$(mktemp)
machine_state >"$before"
trap 'step "tearing the cluster down"; bash local-cluster/cluster.sh down; failures; rm -rf "$reports"' EXIT
bash local-cluster/cluster.sh up
export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"

step "the check runner against the program's objects on the cluster, with faults injected"
suite cluster test:cluster
step "the policy pack against the cluster's Pod Security Admission, case by case (server-side dry run)"
suite psa test:psa
step "the official images the program defaults to, as users run them (stand-ins built from Debian's packages)"
suite images test:images
if [[ -z "$missing" ]]; then
  step "the general policy pack on a stack that is not the lab: patches, a local chart, a local manifest"
  suite policy-pack test:policy-pack
else
  not_run+=("test/real/policyPack.test.ts (missing: $(paste -sd ';' <<<"$missing"))")
fi
if [[ -z "$missing" ]]; then
  step "the real engine on the cluster: up, no-change up, other checkout, refresh, verify, destroy"
  suite lifecycle test:e2e
  step "the real engine with the program's default images (the official nginx and busybox stand-ins)"
  suite official test:official
  # It deploys the program as an earlier commit had it, which a shallow clone does not hold.
  if [[ "$(git rev-parse --is-shallow-repository 2>/dev/null)" == false ]]; then
    step "the real engine: a stack of the program before PodToPodLab, updated by this one"
    suite upgrade test:upgrade
  else
    not_run+=("test/real/engine.upgrade.test.ts (not a full git clone: it needs the commit before PodToPodLab)")
  fi
  if [[ -z "$consumers" ]]; then
    step "the package from Python (two labs, one namespace, the policy pack), YAML and Go, on the cluster"
    suite consumers test:consumers
  fi
  step "the real engine across two nodes: different-nodes, a broken overlay, same-node"
  suite nodes test:nodes
  step "the real engine on every node: every path, a broken overlay on one node, an MTU black hole"
  suite mesh test:mesh
  step "faults under the real engine (report: reports/engine-fault-report.json)"
  suite faults test:faults
  step "one stack, one lab: two stacks in one namespace (in turn and at once), a failed check's outputs, three labs at once"
  suite stacks test:stacks
fi

step "tearing the cluster down"
trap 'failures; rm -rf "$reports"' EXIT
bash local-cluster/cluster.sh down
after=$(mktemp)
machine_state >"$after"
if ! diff -u "$before" "$after"; then
  echo "cluster.sh down left the machine different from how it found it (diff above)" >&2
  exit 1
fi
rm -f "$before" "$after"
step "all tests that ran passed, in $((SECONDS - started)) s"
for item in "${not_run[@]}"; do
  echo "NOT RUN: $item"
done
# One closing line over every vitest report this run wrote.
# shellcheck disable=SC2016 # JavaScript for node, not shell: nothing in it is meant to expand
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    const report = require(file);
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$reports"/*.json
