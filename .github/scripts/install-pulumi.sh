#!/usr/bin/env bash
# Installs the Pulumi CLI as its npm users do: through the `pulumi` launcher package that
# package-lock.json pins. Its first run downloads that very release (CLI and nodejs language host)
# into $PULUMI_HOME/versions/<version>/bin, or finds it there from the cache. That directory then
# goes on PATH, so every later step, `npm run verify` included, runs the pinned CLI.
set -euo pipefail

version="$(node -p 'require("pulumi/package.json").version')"
# The launcher installs PULUMI_VERSION instead of its own version when that is set.
unset PULUMI_VERSION
echo "Pulumi CLI v$version: the npm package pulumi, pinned by package-lock.json"
reported="$(npx --no-install pulumi version)"
if [[ "$reported" != "v$version" ]]; then
  echo "::error title=Pulumi CLI::npx pulumi reports '$reported', not v$version" >&2
  exit 1
fi
bin_dir="${PULUMI_HOME:-$HOME/.pulumi}/versions/$version/bin"
"$bin_dir/pulumi" version >/dev/null
echo "$bin_dir" >>"${GITHUB_PATH:?GITHUB_PATH is set by the runner}"
echo "pulumi $reported in $bin_dir, on PATH from the next step"
