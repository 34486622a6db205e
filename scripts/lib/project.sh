# shellcheck shell=bash
# Sourced by the top-level scripts: installs the npm dependencies when the lock file changed, then
# loads the offline Pulumi environment. Install scripts are skipped: the providers' would try to
# download plugins, and scripts/toolchain.sh builds them instead.

step() { printf '\n== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ensure_npm_dependencies() {
  local dir=$1
  # npm ci records the lock it installed from; reinstall only when it differs.
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
    step "npm ci in ${dir#"$POD_TO_POD_ROOT"/}"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund)
    cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"
  fi
}

POD_TO_POD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ensure_npm_dependencies "$POD_TO_POD_ROOT"
if [[ -f "$POD_TO_POD_ROOT/policy/package-lock.json" ]]; then
  ensure_npm_dependencies "$POD_TO_POD_ROOT/policy"
fi
# shellcheck source=pulumi-env.sh
source "$POD_TO_POD_ROOT/scripts/lib/pulumi-env.sh"

# The kubeconfig to deploy to: the user's (KUBECONFIG, ~/.kube/config, or kubernetes:kubeconfig in
# the stack) when there is one, otherwise none, and the caller brings up the local cluster.
user_kubeconfig() {
  if [[ -n "${KUBECONFIG:-}" ]]; then
    echo "$KUBECONFIG"
  elif [[ -f "$HOME/.kube/config" ]]; then
    echo "$HOME/.kube/config"
  fi
}

# Points a stack at the local cluster's images (built from Debian packages, never pulled).
configure_local_images() {
  local stack=$1 images="$POD_TO_POD_STATE/images.json"
  local nginx busybox
  nginx=$(node -p "require('$images').nginx")
  busybox=$(node -p "require('$images').busybox")
  pulumi config set --stack "$stack" --path nginx.image "$nginx"
  pulumi config set --stack "$stack" --path nginx.imagePullPolicy Never
  pulumi config set --stack "$stack" --path busybox.image "$busybox"
  pulumi config set --stack "$stack" --path busybox.imagePullPolicy Never
}
