#!/usr/bin/env bash
# The main job: deploy the lab with `pulumi up` and verify it. It installs what is missing (npm
# packages, the offline Pulumi toolchain) and deploys to the user's cluster when a kubeconfig is
# there (KUBECONFIG or ~/.kube/config; stack `dev`), or else brings up the local k3s cluster and
# deploys there (stack `local`, using the locally built images). PULUMI_STACK overrides the stack.
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
cd "$POD_TO_POD_ROOT"

step "Pulumi toolchain (built once from the Go module proxy, then cached)"
bash scripts/toolchain.sh

kubeconfig=$(user_kubeconfig)
if [[ -n "$kubeconfig" ]]; then
  stack=${PULUMI_STACK:-dev}
  step "deploying to the cluster in $kubeconfig (stack $stack)"
  pulumi stack select --create "$stack"
else
  stack=${PULUMI_STACK:-local}
  step "no kubeconfig: bringing up the local k3s cluster"
  bash scripts/cluster.sh up
  export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"
  pulumi stack select --create "$stack"
  configure_local_images "$stack"
fi

step "pulumi up"
pulumi up --yes --stack "$stack"
step "the verification, as exported"
pulumi stack output report --stack "$stack"
