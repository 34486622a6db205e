#!/usr/bin/env bash
# The Pulumi Python SDK for the package's Python consumer (examples/python): a virtualenv in the
# user's cache, outside the clone, with `pulumi==<the pinned SDK version>` from PyPI. Prints the
# virtualenv's path; a second run finds it and installs nothing. Needs python3 (3.9 or newer) with
# its venv module; the Python language host itself ships with the Pulumi CLI.
#   bash scripts/python-sdk.sh            creates it where missing, prints its path
#   bash scripts/python-sdk.sh --check    prints its path if it is complete, else fails, changing nothing
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(node -p "require('$root/package-lock.json').packages['node_modules/@pulumi/pulumi'].version")
venv="${XDG_CACHE_HOME:-$HOME/.cache}/pod-to-pod/python-pulumi-$version"

complete() {
  [[ -x "$venv/bin/python" ]] &&
    [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))' 2>/dev/null)" == "$version" ]]
}

if complete; then
  echo "$venv"
  exit 0
fi
if [[ "${1:-}" == --check ]]; then
  echo "no Python SDK pulumi==$version in $venv (bash scripts/python-sdk.sh installs it from PyPI)" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is needed for the Python consumer (examples/python); install Python 3.9 or newer." >&2
  exit 1
fi
echo "creating $venv: pulumi==$version from PyPI" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pulumi==$version" >&2
complete
echo "$venv"
