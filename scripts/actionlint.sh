#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (workflow syntax, expressions, action inputs,
# and the shell in `run:` steps through shellcheck when shellcheck is on PATH).
#
# actionlint is built from the Go module proxy at a pinned version and cached outside the clone in
# $POD_TO_POD_CACHE/actionlint-<version>/; a cached binary that reports the right version is used
# as it is, so a warm run takes a moment.
#
# Usage: scripts/actionlint.sh [workflow files...]   (default: every workflow in .github/workflows)
set -euo pipefail

readonly ACTIONLINT_MODULE="github.com/rhysd/actionlint/cmd/actionlint"
readonly ACTIONLINT_VERSION="1.7.12"
readonly GO_PROXY_URL="https://proxy.golang.org"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
bin_dir="$cache/actionlint-$ACTIONLINT_VERSION"
bin="$bin_dir/actionlint"

say() { printf '[actionlint] %s\n' "$*" >&2; }

cached_ok() {
  [[ -x "$bin" ]] && [[ "$("$bin" -version 2>/dev/null | head -n 1)" == "v$ACTIONLINT_VERSION" ]]
}

build() {
  if ! command -v go >/dev/null 2>&1; then
    say "Go is needed to build actionlint v$ACTIONLINT_VERSION (Go >= 1.21, from go.dev or Debian)"
    exit 1
  fi
  local work
  mkdir -p "$bin_dir"
  work="$(mktemp -d "$bin_dir/build.XXXXXX")"
  say "building $ACTIONLINT_MODULE@v$ACTIONLINT_VERSION from $GO_PROXY_URL into $bin_dir"
  if ! GOPROXY="$GO_PROXY_URL" GOFLAGS=-mod=mod CGO_ENABLED=0 GOBIN="$work" \
    go install -trimpath "$ACTIONLINT_MODULE@v$ACTIONLINT_VERSION" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    rm -rf "$work"
    say "building actionlint failed"
    exit 1
  fi
  # Atomic, so a concurrent run sees either no binary or a whole one.
  mv -f "$work/actionlint" "$bin"
  rm -rf "$work"
  cached_ok || {
    say "$bin does not report v$ACTIONLINT_VERSION"
    exit 1
  }
}

cached_ok || build

cd "$root"
if (($# == 0)); then
  shopt -s nullglob
  set -- .github/workflows/*.yml .github/workflows/*.yaml
  if (($# == 0)); then
    say "no workflows in $root/.github/workflows"
    exit 1
  fi
fi
say "actionlint v$ACTIONLINT_VERSION on $*"
exec "$bin" -no-color "$@"
