# shellcheck shell=bash
# The images the cluster runs (built by images/build.sh, never pulled): their names, the import
# into every node's containerd, and a host-side busybox for checks from the nodes themselves.

image() { jq -er --arg k "$1" '.[$k]' "${STATE}/images.json"; }

# The cached docker-archive local-cluster/images/build.sh wrote for an image.
image_tar() {
  local ref
  ref="$(image "$1")"
  printf '%s\n' "${POD_TO_POD_CACHE}/images/$1-${ref##*:}.tar"
}

import_images() {
  local k="$1" name ref tar present
  wait_for 60 "node $(node_name_of "${k}"): containerd socket" \
    ctr --address "$(node_sock "${k}")" version
  present="$(ctr_ "${k}" images ls -q)"
  for name in pause busybox nginx coredns kubectl; do
    ref="$(image "${name}")"
    if grep -qFx "${ref}" <<<"${present}"; then
      continue
    fi
    tar="$(image_tar "${name}")"
    log "node $(node_name_of "${k}"): importing ${ref}"
    ctr_ "${k}" images import "${tar}" >/dev/null
  done
}

host_tools() {
  # A host-side busybox for checking DNS through the kube-dns Service.
  mkdir -p "${STATE}/bin"
  if [[ ! -x "${STATE}/bin/busybox" ]]; then
    local archive layer
    archive="$(image_tar busybox)"
    layer="$(tar -xOf "${archive}" manifest.json | jq -r '.[0].Layers[0]')"
    tar -xOf "${archive}" "${layer}" | tar -xO bin/busybox >"${STATE}/bin/busybox"
    chmod 0755 "${STATE}/bin/busybox"
  fi
  local tool
  for tool in kubectl crictl; do
    ln -sfn "${K3S_BIN}" "${STATE}/bin/${tool}"
  done
}

# Builds (or finds in the cache) every image and writes images.json.
build_images() {
  bash "${CLUSTER_DIR}/images/build.sh" all >/dev/null
}

# `import-image <docker-archive> [<name>...]`: imports an image tarball (images/build.sh's) into
# every node's containerd and tags it with each name given, e.g. the official image's name a
# program defaults to (docker.io/library/nginx:1.28.0), so that a pod naming it runs it unpulled.
cmd_import_image() {
  local tar="${1:-}" k ref name
  [[ -s "${tar}" ]] || die "import-image: no image tarball '${tar}' (usage: import-image <tar> [<name>...])"
  shift
  pid_alive "${K3S_PID}" || die "the cluster is not up (local-cluster/cluster.sh up)"
  ref="$(tar -xOf "${tar}" manifest.json | jq -er '.[0].RepoTags[0]')"
  for k in 1 $(agents); do
    log "node $(node_name_of "${k}"): importing ${ref}${*:+ as $*}"
    ctr_ "${k}" images import "${tar}" >/dev/null
    for name in "$@"; do
      ctr_ "${k}" images tag --force "${ref}" "${name}" >/dev/null
    done
  done
}
