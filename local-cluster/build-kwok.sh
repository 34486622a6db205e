#!/usr/bin/env bash
# Builds kwok (sigs.k8s.io/kwok, the controller that plays the kubelet of fake nodes) from the Go
# module proxy and caches it outside the clone, keyed by version. Sourced by lib/kwok.sh; can also
# be run on its own: `bash local-cluster/build-kwok.sh` builds (or finds) the binary and prints its
# path. Only the bench's simulated nodes use it (`cluster.sh fake-nodes N`); nothing of a user's.
set -euo pipefail

KWOK_VERSION="v0.8.0"
POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
KWOK_CACHE_DIR="${POD_TO_POD_CACHE}/kwok-${KWOK_VERSION}"
KWOK_BIN="${KWOK_CACHE_DIR}/kwok"
# kwok plays nothing without stages: its own "fast" ones (a node Ready at once, its lease renewed;
# a pod Running and Ready at once, deleted when asked), as its module ships them.
# shellcheck disable=SC2034 # read by lib/kwok.sh, which sources this file
KWOK_STAGES="${KWOK_CACHE_DIR}/stages.yaml"
KWOK_STAGE_FILES=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml)

kwok_log() { printf '[kwok-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

kwok_build() {
  if [[ -x "${KWOK_BIN}" && -f "${KWOK_CACHE_DIR}/.complete" ]]; then
    return
  fi
  command -v go >/dev/null || { echo "go is not on PATH (kwok ${KWOK_VERSION} needs Go >= 1.26)" >&2; return 1; }
  local tmp
  mkdir -p "${POD_TO_POD_CACHE}"
  tmp="$(mktemp -d "${POD_TO_POD_CACHE}/.kwok-XXXXXX")"
  kwok_log "go install sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION} -> ${KWOK_BIN} (cold: about 5 min on 2 cores)"
  GOBIN="${tmp}" GOFLAGS=-trimpath go install "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  local module file
  module="$(cd "${tmp}" && go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  for file in "${KWOK_STAGE_FILES[@]}"; do
    printf -- '---\n'
    cat "${module}/kustomize/stage/${file}"
  done >"${tmp}/stages.yaml"
  rm -rf "${KWOK_CACHE_DIR}"
  mv "${tmp}" "${KWOK_CACHE_DIR}"
  touch "${KWOK_CACHE_DIR}/.complete"
  kwok_log "built $("${KWOK_BIN}" --version 2>/dev/null | head -1)"
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  kwok_build
  printf '%s\n' "${KWOK_BIN}"
fi
