# shellcheck shell=bash
# Where the Pulumi engine lives, the way a user's does: the CLI and the Node.js language host of the
# pinned version in $PULUMI_HOME/versions/<version>/bin/ (where the npm `pulumi` launcher and the
# Automation API put them), the providers in $PULUMI_HOME/plugins/. Pins come from
# package-lock.json. Sourced after project.sh.

PULUMI_HOME_DIR="${PULUMI_HOME:-$HOME/.pulumi}"
_pin() { node -p "require('$POD_TO_POD_ROOT/package-lock.json').packages['node_modules/$1'].version"; }
POD_TO_POD_PULUMI_VERSION=$(_pin pulumi)
POD_TO_POD_KUBERNETES_VERSION=$(_pin @pulumi/kubernetes)
POD_TO_POD_COMMAND_VERSION=$(_pin @pulumi/command)
export POD_TO_POD_PULUMI_VERSION POD_TO_POD_KUBERNETES_VERSION POD_TO_POD_COMMAND_VERSION
POD_TO_POD_PULUMI_BIN="$PULUMI_HOME_DIR/versions/$POD_TO_POD_PULUMI_VERSION/bin"

# Prints one line per missing piece of the engine, saying where it goes; prints nothing when the
# whole engine is there. Looks only: it downloads nothing.
engine_missing() {
  local bin=$POD_TO_POD_PULUMI_BIN
  [[ -x "$bin/pulumi" ]] ||
    echo "the Pulumi CLI v$POD_TO_POD_PULUMI_VERSION: $bin/pulumi (with internet, 'npx pulumi version' downloads it there)"
  [[ -x "$bin/pulumi-language-nodejs" ]] ||
    echo "the Node.js language host v$POD_TO_POD_PULUMI_VERSION: $bin/pulumi-language-nodejs (ships with the CLI)"
  local name version
  for name in kubernetes command; do
    if [[ $name == kubernetes ]]; then version=$POD_TO_POD_KUBERNETES_VERSION; else version=$POD_TO_POD_COMMAND_VERSION; fi
    [[ -x "$PULUMI_HOME_DIR/plugins/resource-$name-v$version/pulumi-resource-$name" ]] ||
      echo "the $name provider v$version: 'pulumi plugin install resource $name $version' (with internet), or 'pulumi plugin install resource $name $version --file <pulumi-resource-$name binary>'"
  done
}

# Prints one line per missing piece of what the package's consumers (examples/python, examples/yaml)
# need beyond the engine: their language hosts beside the CLI and the Python SDK's virtualenv
# (scripts/python-sdk.sh). Looks only.
consumers_missing() {
  local bin=$POD_TO_POD_PULUMI_BIN
  [[ -x "$bin/pulumi-language-python" ]] ||
    echo "the Python language host v$POD_TO_POD_PULUMI_VERSION: $bin/pulumi-language-python (ships with the CLI)"
  [[ -x "$bin/pulumi-language-yaml" ]] ||
    echo "the YAML language host: $bin/pulumi-language-yaml (ships with the CLI)"
  bash "$POD_TO_POD_ROOT/scripts/python-sdk.sh" --check >/dev/null 2>&1 ||
    echo "the Python SDK pulumi==$POD_TO_POD_PULUMI_VERSION: 'bash scripts/python-sdk.sh' (pip, from PyPI) into ${XDG_CACHE_HOME:-$HOME/.cache}/pod-to-pod/"
}

# Prints one line per missing piece of what the package's Go consumer (examples/go) needs beyond the
# other consumers: the Go language host beside the CLI and the Go toolchain that builds the
# program. Looks only. Without them test/real/consumers.test.ts runs the others and names the Go
# program in a NOT RUN line.
go_consumer_missing() {
  local bin=$POD_TO_POD_PULUMI_BIN
  [[ -x "$bin/pulumi-language-go" ]] ||
    echo "the Go language host v$POD_TO_POD_PULUMI_VERSION: $bin/pulumi-language-go (ships with the CLI)"
  command -v go >/dev/null 2>&1 ||
    echo "the Go toolchain: go on PATH (go.mod's go version or newer)"
}
