#!/usr/bin/env bash
# The main job: deploy the lab with `pulumi up` (policy pack on) and print the verification.
#
# It uses what you have: your Pulumi CLI of the pinned version (the npm `pulumi` launcher runs it,
# downloading it on first use where it can), your backend and passphrase, and your cluster:
#   1. kubernetes:kubeconfig set in the stack   2. KUBECONFIG   3. ~/.kube/config
#   4. /etc/rancher/k3s/k3s.yaml (a k3s VM)
# Only where none of these exists does it bring up the project's local k3s (local-cluster/cluster.sh,
# root needed) and deploy there with the locally built images.
#
# Environment: PULUMI_STACK (default: dev, or local on the local cluster).
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
# shellcheck source=lib/engine.sh
source "$POD_TO_POD_ROOT/scripts/lib/engine.sh"
cd "$POD_TO_POD_ROOT"

pulumi() { npx --no-install pulumi "$@"; }

# The cluster the stack would deploy to, as a kubeconfig path ("stack" when the stack names one).
find_cluster() {
  local stack=$1
  if pulumi config get kubernetes:kubeconfig --stack "$stack" >/dev/null 2>&1; then
    echo stack
  elif [[ -n "${KUBECONFIG:-}" ]]; then
    echo "$KUBECONFIG"
  elif [[ -f "$HOME/.kube/config" ]]; then
    echo "$HOME/.kube/config"
  elif [[ -e /etc/rancher/k3s/k3s.yaml ]]; then
    if [[ ! -r /etc/rancher/k3s/k3s.yaml ]]; then
      echo "k3s's kubeconfig /etc/rancher/k3s/k3s.yaml is not readable by $(id -un) (k3s writes it 0600)." >&2
      echo "Copy it for yourself: sudo k3s kubectl config view --raw > ~/.kube/config && chmod 600 ~/.kube/config" >&2
      echo "(or start k3s with --write-kubeconfig-mode 0644), then run this again." >&2
      return 1
    fi
    echo /etc/rancher/k3s/k3s.yaml
  fi
}

step "Pulumi CLI v$POD_TO_POD_PULUMI_VERSION"
if ! pulumi version; then
  echo "No Pulumi CLI v$POD_TO_POD_PULUMI_VERSION could be run or downloaded. What is missing:" >&2
  engine_missing | sed 's/^/  - /' >&2
  exit 1
fi

stack=${PULUMI_STACK:-dev}
has_backend=0
if [[ -n "${PULUMI_BACKEND_URL:-}" ]] || pulumi whoami >/dev/null 2>&1; then
  has_backend=1
fi
cluster=$(find_cluster "$stack")
# The project's own local cluster, from an earlier run, is not a cluster of yours: k3s links
# /etc/rancher/k3s/k3s.yaml to its kubeconfig, which looks just like a k3s VM's.
if [[ -n "$cluster" && "$cluster" != stack &&
  "$(readlink -f "$cluster")" == "$(readlink -f "$POD_TO_POD_STATE/kubeconfig.yaml")" ]]; then
  cluster=""
fi
local_cluster=0
if [[ -z "$cluster" ]]; then
  local_cluster=1
  stack=${PULUMI_STACK:-local}
  step "no cluster of yours found: the local k3s cluster (local-cluster/cluster.sh up)"
  bash local-cluster/cluster.sh up
  export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"
  if ((!has_backend)); then
    # Only for the project's own throwaway cluster, and only when there is no backend at all.
    state="${POD_TO_POD_PULUMI_STATE:-/var/lib/pod-to-pod-pulumi}"
    mkdir -p "$state"
    export PULUMI_BACKEND_URL="file://$state"
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-pod-to-pod-local-only}"
    echo "No Pulumi backend is configured: the local cluster's stack is kept in $PULUMI_BACKEND_URL," \
      "secrets under PULUMI_CONFIG_PASSPHRASE (default: a local-only one)." >&2
  fi
elif ((!has_backend)); then
  echo "No Pulumi backend: run 'pulumi login' (Pulumi Cloud) or 'pulumi login --local', or set PULUMI_BACKEND_URL, then run this again." >&2
  exit 1
elif [[ "$cluster" == stack ]]; then
  step "deploying to the cluster in the stack's kubernetes:kubeconfig"
else
  export KUBECONFIG="$cluster"
  step "deploying to the cluster in $cluster"
fi

pulumi stack select --create "$stack"
if ((local_cluster)); then
  images="$POD_TO_POD_STATE/images.json"
  pulumi config set --stack "$stack" --path nginx.image "$(node -p "require('$images').nginx")"
  pulumi config set --stack "$stack" --path nginx.imagePullPolicy Never
  pulumi config set --stack "$stack" --path busybox.image "$(node -p "require('$images').busybox")"
  pulumi config set --stack "$stack" --path busybox.imagePullPolicy Never
fi
# --refresh: the stack's state is read back from the cluster first, so a pod deleted by hand, or a
# local cluster torn down and brought up again since the last run, is recreated and checked anew
# instead of being taken on the state's word (with a stale verification printed below).
step "pulumi up --refresh (stack $stack, policy pack policy/)"
pulumi up --yes --refresh --stack "$stack" --policy-pack policy
step "the verification, as exported"
pulumi stack output report --stack "$stack"
