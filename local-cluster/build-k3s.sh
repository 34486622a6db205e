#!/usr/bin/env bash
# Builds k3s's multicall binary (./cmd/server: server, agent, kubectl, crictl, ctr) from the Go
# module proxy and caches it outside the clone. Sourced by local-cluster/cluster.sh; can also be run on
# its own: `bash local-cluster/build-k3s.sh` builds (or finds) the binary and prints its path.
#
# Pin: k3s tags carry +k3s1 build metadata, which the module proxy refuses, and branch names
# (release-1.33, release-1.34) answer 403 too. The only k3s version the proxy serves here is the
# pseudo-version below (k3s master on 2025-04-30, go.mod pinning k3s-io/kubernetes v1.33.0-k3s1),
# so this is k3s 1.33.0 - below 1.35, whose kubelet refuses cgroup v1.
set -euo pipefail

K3S_MODULE="github.com/k3s-io/k3s"
K3S_MODULE_VERSION="v1.33.0-rc1.0.20250430074337-dc03cb4b3faa"
K3S_COMMIT="dc03cb4b3faaa71ceede08fd1790d0607c7a15ed"
# Same shape as upstream scripts/version.sh for an untagged commit: <k8s version>+k3s-<commit:8>.
K3S_VERSION="v1.33.0+k3s-${K3S_COMMIT:0:8}"
# Upstream scripts/build uses "ctrd netcgo osusergo providerless urfave_cli_no_docs
# sqlite_omit_load_extension apparmor seccomp". We drop ctrd (Debian's containerd 1.6 runs the
# pods; see local-cluster/README.md) and with it apparmor/seccomp, which only affect the compiled-in
# containerd/runc. SQLite (kine) is compiled by cgo from mattn/go-sqlite3's bundled amalgamation.
K3S_BUILD_TAGS="netcgo osusergo providerless urfave_cli_no_docs sqlite_omit_load_extension"

# k3s refuses to start unless built with the Go that upstream Kubernetes used for this release
# (pkg/cli/cmds/golang.go compares runtime.Version() with version.UpstreamGolang): go1.24.2 for
# v1.33.0 (k3s's Dockerfile.dapper, kubernetes build/dependencies.yaml). The go command fetches
# that toolchain from the module proxy (golang.org/toolchain) via GOTOOLCHAIN.
# POD_TO_POD_K3S_GO=go1.26.8 (say) builds with another Go instead, e.g. to reuse a warm cache.
K3S_GO_VERSION="${POD_TO_POD_K3S_GO:-go1.24.2}"

POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
K3S_CACHE_DIR="${POD_TO_POD_CACHE}/k3s-${K3S_VERSION}"
K3S_BIN="${K3S_CACHE_DIR}/k3s"

k3s_log() { printf '[k3s-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Fetches the module zip through the proxy and unpacks a writable copy whose own go.mod/go.sum
# (with their replace directives to k3s's forks) apply when it is built as the main module.
k3s_source() {
  local src="${POD_TO_POD_CACHE}/src/k3s-${K3S_MODULE_VERSION}"
  if [[ -f "${src}/.complete" ]]; then
    printf '%s\n' "${src}"
    return
  fi
  local tmp
  tmp="$(mktemp -d "${POD_TO_POD_CACHE}/src/.k3s-XXXXXX")"
  k3s_log "fetching ${K3S_MODULE}@${K3S_MODULE_VERSION} source through ${GOPROXY}"
  # The proxy serves this version's .zip and .info but answers 403 for its .mod, so
  # `go mod download` of k3s itself fails; the zip is all a main-module build needs.
  curl -fsS --retry 3 -o "${tmp}/k3s.zip" \
    "${GOPROXY%%,*}/${K3S_MODULE}/@v/${K3S_MODULE_VERSION}.zip"
  (cd "${tmp}" && unzip -q k3s.zip)
  rm -rf "${src}"
  mv "${tmp}/${K3S_MODULE}@${K3S_MODULE_VERSION}" "${src}"
  rm -rf "${tmp}"
  chmod -R u+w "${src}"
  touch "${src}/.complete"
  printf '%s\n' "${src}"
}

# ./cmd/server is multicall by argv[0] only: `k3s kubectl ...` is a feature of the
# self-extracting cmd/k3s wrapper (it execs a symlink named kubectl), so this build needs the
# symlinks itself. k3s_tool kubectl|crictl|ctr prints the path to call.
k3s_tool() {
  printf '%s\n' "${K3S_CACHE_DIR}/$1"
}

k3s_link_tools() {
  local tool
  for tool in kubectl crictl ctr; do
    ln -sfn k3s "${K3S_CACHE_DIR}/${tool}"
  done
}

# The Go release a binary was built with ("go1.24.2"), or nothing.
k3s_built_with() {
  go version "$1" 2>/dev/null | awk '{print $2}'
}

k3s_build() {
  command -v go >/dev/null || { echo "go is not on PATH (need Go >= 1.21 to fetch ${K3S_GO_VERSION})" >&2; return 1; }
  if [[ -x "${K3S_BIN}" && "$(k3s_built_with "${K3S_BIN}")" == "${K3S_GO_VERSION}" ]]; then
    k3s_log "cached: ${K3S_BIN} (${K3S_GO_VERSION})"
    k3s_link_tools
    return
  fi
  export GOPROXY="https://proxy.golang.org"
  export GOTOOLCHAIN="${K3S_GO_VERSION}" GOFLAGS="-buildvcs=false -mod=mod" CGO_ENABLED=1
  command -v gcc >/dev/null || { echo "gcc is missing (cgo builds SQLite)" >&2; return 1; }
  mkdir -p "${POD_TO_POD_CACHE}/src" "${K3S_CACHE_DIR}"
  local src
  src="$(k3s_source)"
  cd "${src}"
  k3s_log "go list -deps ./cmd/server (downloads modules, fails fast on anything missing)"
  go list -deps -tags "${K3S_BUILD_TAGS}" ./cmd/server >/dev/null
  # Manifests (rolebindings.yaml with the kube-apiserver -> kubelet RBAC that `kubectl exec`
  # needs, coredns.yaml, ...) are already go-bindata'd into pkg/deploy/zz_generated_bindata.go at
  # this commit; fail loudly if that ever stops being true instead of shipping a k3s without them.
  grep -q 'manifests/rolebindings.yaml' pkg/deploy/zz_generated_bindata.go || {
    echo "pkg/deploy has no embedded rolebindings.yaml; generate it as upstream does" >&2
    return 1
  }
  local build_date ldflags
  build_date="$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  ldflags="-w -s
    -X ${K3S_MODULE}/pkg/version.Version=${K3S_VERSION}
    -X ${K3S_MODULE}/pkg/version.GitCommit=${K3S_COMMIT:0:8}
    -X ${K3S_MODULE}/pkg/version.UpstreamGolang=${K3S_GO_VERSION}
    -X k8s.io/client-go/pkg/version.gitVersion=${K3S_VERSION}
    -X k8s.io/client-go/pkg/version.gitCommit=${K3S_COMMIT}
    -X k8s.io/client-go/pkg/version.gitTreeState=clean
    -X k8s.io/client-go/pkg/version.buildDate=${build_date}
    -X k8s.io/component-base/version.gitVersion=${K3S_VERSION}
    -X k8s.io/component-base/version.gitCommit=${K3S_COMMIT}
    -X k8s.io/component-base/version.gitTreeState=clean
    -X k8s.io/component-base/version.buildDate=${build_date}
    -X sigs.k8s.io/cri-tools/pkg/version.Version=$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' sigs.k8s.io/cri-tools)"
  k3s_log "go build ./cmd/server with ${K3S_GO_VERSION} -> ${K3S_BIN} (cold: 30-60 min on 2 cores)"
  local start=${SECONDS}
  go build -tags "${K3S_BUILD_TAGS}" -ldflags "${ldflags}" -o "${K3S_BIN}.tmp" ./cmd/server
  mv "${K3S_BIN}.tmp" "${K3S_BIN}"
  k3s_link_tools
  k3s_log "built ${K3S_BIN} in $((SECONDS - start))s"
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  k3s_build
  printf '%s\n' "${K3S_BIN}"
fi
