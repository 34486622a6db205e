# shellcheck shell=bash
# Sourced by every script in scripts/: puts the offline-built Pulumi toolchain first on PATH and
# points the CLI at a local, offline backend. Builds nothing; scripts/toolchain.sh does that.
#
# Exports the pins read from package-lock.json, the one place that holds them:
#   POD_TO_POD_PULUMI_VERSION      @pulumi/pulumi     = CLI and Node.js language host
#   POD_TO_POD_KUBERNETES_VERSION  @pulumi/kubernetes = pulumi-resource-kubernetes
#   POD_TO_POD_COMMAND_VERSION     @pulumi/command    = pulumi-resource-command
#   POD_TO_POD_POLICY_VERSION      @pulumi/policy
# and POD_TO_POD_ROOT, POD_TO_POD_CACHE, POD_TO_POD_STATE, POD_TO_POD_TOOLCHAIN_BIN.

POD_TO_POD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
POD_TO_POD_STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
export POD_TO_POD_ROOT POD_TO_POD_CACHE POD_TO_POD_STATE

if ! command -v node >/dev/null 2>&1; then
  echo "pulumi-env.sh: node is needed to read the pins from package-lock.json;" \
    "run scripts/toolchain.sh (it installs Node.js via apt-get)" >&2
  return 1
fi
# One line per package, in a fixed order; a missing entry fails here rather than later.
if ! _p2p_pins="$(node -e '
  const lock = require(process.argv[1]);
  for (const name of ["pulumi", "kubernetes", "command", "policy"]) {
    const entry = lock.packages["node_modules/@pulumi/" + name];
    if (!entry || !entry.version) {
      throw new Error("package-lock.json has no version for @pulumi/" + name);
    }
    console.log(entry.version.replace(/^v/, ""));
  }' "$POD_TO_POD_ROOT/package-lock.json")"; then
  echo "pulumi-env.sh: cannot read the pins from $POD_TO_POD_ROOT/package-lock.json" >&2
  return 1
fi
{
  read -r POD_TO_POD_PULUMI_VERSION
  read -r POD_TO_POD_KUBERNETES_VERSION
  read -r POD_TO_POD_COMMAND_VERSION
  read -r POD_TO_POD_POLICY_VERSION
} <<<"$_p2p_pins"
unset _p2p_pins
export POD_TO_POD_PULUMI_VERSION POD_TO_POD_KUBERNETES_VERSION POD_TO_POD_COMMAND_VERSION \
  POD_TO_POD_POLICY_VERSION

# The CLI and the language host live together; the CLI finds language hosts next to itself.
POD_TO_POD_TOOLCHAIN_BIN="$POD_TO_POD_CACHE/toolchain/pulumi-v$POD_TO_POD_PULUMI_VERSION"
export POD_TO_POD_TOOLCHAIN_BIN
case ":$PATH:" in
  *":$POD_TO_POD_TOOLCHAIN_BIN:"*) ;;
  *) export PATH="$POD_TO_POD_TOOLCHAIN_BIN:$PATH" ;;
esac

export PULUMI_HOME="${PULUMI_HOME:-$POD_TO_POD_CACHE/pulumi-home}"
# Not under $POD_TO_POD_STATE: `cluster.sh down` removes that, and stacks must outlive a cluster.
if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p "${POD_TO_POD_PULUMI_STATE:=/var/lib/pod-to-pod-pulumi}"
  export PULUMI_BACKEND_URL="file://$POD_TO_POD_PULUMI_STATE"
fi
# Local-only default: it encrypts stack secrets in a file backend on this machine and protects
# nothing against anyone who can read this repository. Set PULUMI_CONFIG_PASSPHRASE or
# PULUMI_CONFIG_PASSPHRASE_FILE for anything that matters.
if [[ -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  export PULUMI_CONFIG_PASSPHRASE="pod-to-pod-local-only"
fi
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
