#!/usr/bin/env bash
# Builds the `flannel` CNI plugin that k3s's Flannel needs next to Debian's bridge/host-local/
# portmap/bandwidth plugins, and caches it outside the clone. Sourced by local-cluster/cluster.sh;
# `bash local-cluster/flannel-cni.sh` builds (or finds) it and prints its path.
#
# Version: k3s v1.33.0 ships flannel-io/cni-plugin v1.6.0-flannel1 (k3s scripts/version.sh,
# VERSION_FLANNEL_PLUGIN). The module proxy here answers 403 for every version of
# github.com/flannel-io/cni-plugin, and Debian's containernetworking-plugins has no flannel
# plugin (upstream moved it out of containernetworking/plugins), so its source (two Go files,
# Apache-2.0) is kept in local-cluster/flannel-cni/ with its own go.mod/go.sum; its only
# dependencies (containernetworking/cni, vishvananda/netns, x/sys) come from the proxy.
set -euo pipefail

FLANNEL_CNI_VERSION="v1.6.0-flannel1"
FLANNEL_CNI_COMMIT="3389866d97e9ef84bf2a64433f7f6f81e650d9c6"
FLANNEL_CNI_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/flannel-cni"
POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"

flannel_cni_log() { printf '[flannel-cni %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# The cached binary's path: keyed by the version and a hash of the source, so an edit rebuilds.
flannel_cni_bin() {
  local hash
  hash="$(cat "${FLANNEL_CNI_SRC}"/*.go "${FLANNEL_CNI_SRC}"/go.mod "${FLANNEL_CNI_SRC}"/go.sum |
    sha256sum | cut -c1-12)"
  printf '%s\n' "${POD_TO_POD_CACHE}/flannel-cni-${FLANNEL_CNI_VERSION}-${hash}/flannel"
}

flannel_cni_build() {
  local bin
  bin="$(flannel_cni_bin)"
  if [[ -x "${bin}" ]]; then
    flannel_cni_log "cached: ${bin}"
    return
  fi
  command -v go >/dev/null || { echo "go is not on PATH (need Go >= 1.22)" >&2; return 1; }
  mkdir -p "$(dirname "${bin}")"
  flannel_cni_log "go build flannel CNI plugin ${FLANNEL_CNI_VERSION} -> ${bin}"
  # Static (CGO off), as upstream's scripts/build_flannel.sh makes it; the version flags are theirs.
  (cd "${FLANNEL_CNI_SRC}" &&
    GOPROXY="https://proxy.golang.org" GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" \
      CGO_ENABLED=0 go build -trimpath -tags "netgo osusergo" -ldflags "-s -w
        -X main.Version=${FLANNEL_CNI_VERSION} -X main.Commit=${FLANNEL_CNI_COMMIT:0:8}
        -X main.Program=flannel -X main.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      -o "${bin}.tmp" .)
  mv "${bin}.tmp" "${bin}"
  flannel_cni_log "built $("${bin}" 2>&1 </dev/null | head -1)"
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  flannel_cni_build
  flannel_cni_bin
fi
