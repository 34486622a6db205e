#!/usr/bin/env bash
# The main job: deploy the lab and verify it. It installs what is missing (npm packages, the
# offline Pulumi toolchain) and deploys to the user's cluster when a kubeconfig is there
# (KUBECONFIG or ~/.kube/config; stack `dev`), or else brings up the local k3s cluster and deploys
# there (stack `local`, with the locally built images). PULUMI_STACK overrides the stack.
#
# Where the Pulumi toolchain cannot be built (docs/toolchain.md), it says so and falls back to
# applying the program's own objects with kubectl and running the same checks
# (scripts/deployWithKubectl.ts); extra config then comes from POD_TO_POD_CONFIG, a JSON object of
# pod-to-pod:* keys.
set -euo pipefail
# shellcheck source=lib/project.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/project.sh"
cd "$POD_TO_POD_ROOT"

step "Pulumi toolchain (built once from the Go module proxy, then cached)"
have_pulumi=1
if ! bash scripts/toolchain.sh; then
  have_pulumi=0
  echo "WARNING: no Pulumi toolchain (see above and docs/toolchain.md); deploying with kubectl instead" >&2
fi

kubeconfig=$(user_kubeconfig)
local_cluster=0
if [[ -z "$kubeconfig" ]]; then
  local_cluster=1
  step "no kubeconfig: bringing up the local k3s cluster"
  bash scripts/cluster.sh up
  export KUBECONFIG="$POD_TO_POD_STATE/kubeconfig.yaml"
else
  step "deploying to the cluster in $kubeconfig"
fi

if ((have_pulumi)); then
  if ((local_cluster)); then stack=${PULUMI_STACK:-local}; else stack=${PULUMI_STACK:-dev}; fi
  pulumi stack select --create "$stack"
  if ((local_cluster)); then
    configure_local_images "$stack"
  fi
  step "pulumi up (stack $stack, policy pack policy/)"
  pulumi up --yes --stack "$stack" --policy-pack policy
  step "the verification, as exported"
  pulumi stack output report --stack "$stack"
else
  config=${POD_TO_POD_CONFIG:-"{}"}
  if ((local_cluster)); then
    config=$(node -e '
      const config = JSON.parse(process.argv[1]);
      const images = require(process.argv[2]);
      config["pod-to-pod:nginx"] = JSON.stringify({ image: images.nginx, imagePullPolicy: "Never" });
      config["pod-to-pod:busybox"] = JSON.stringify({ image: images.busybox, imagePullPolicy: "Never" });
      console.log(JSON.stringify(config));' "$config" "$POD_TO_POD_STATE/images.json")
  fi
  step "kubectl apply of the program's objects, then the checks (outputs in reports/outputs.json)"
  RENDER_CONFIG="$config" node_modules/.bin/tsx scripts/deployWithKubectl.ts
fi
