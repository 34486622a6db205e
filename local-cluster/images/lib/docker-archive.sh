#!/usr/bin/env bash
# Assembles a single-layer docker-archive tarball (the `docker save` layout that
# `ctr images import` reads) from a root filesystem directory, without any daemon or registry.
# Sourced by images/build.sh.
set -euo pipefail

# docker_archive <rootfs-dir> <image-ref> <output.tar> <config-json>
#   <config-json> is the image's runtime config object (User, Env, Cmd, ...), e.g.
#   '{"Cmd":["sh"],"Env":["PATH=/bin"]}'. The tarball is reproducible: entries are sorted, owned
#   by 0:0 and dated at the epoch, so the same rootfs always gives the same image ID.
docker_archive() {
  local rootfs="$1" ref="$2" out="$3" runtime_config="$4"
  local work
  work="$(mktemp -d "${out}.XXXXXX")"
  # Paths relative to the rootfs, no leading "./", sorted so the tar is byte-for-byte stable.
  (cd "${rootfs}" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"${work}/files"
  tar --create --file "${work}/layer.tar" --directory "${rootfs}" --no-recursion \
    --numeric-owner --owner=0 --group=0 --mtime=@0 --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --files-from "${work}/files"
  local layer_sha
  layer_sha="$(sha256sum "${work}/layer.tar" | cut -d' ' -f1)"
  mkdir -p "${work}/${layer_sha}"
  mv "${work}/layer.tar" "${work}/${layer_sha}/layer.tar"
  jq -n --argjson cfg "${runtime_config}" --arg diff "sha256:${layer_sha}" --arg ref "${ref}" '{
      architecture: "amd64",
      os: "linux",
      created: "1970-01-01T00:00:00Z",
      config: $cfg,
      rootfs: { type: "layers", diff_ids: [$diff] },
      history: [{ created: "1970-01-01T00:00:00Z", created_by: ("pod-to-pod images/build.sh " + $ref) }]
    }' >"${work}/config.json"
  local config_sha
  config_sha="$(sha256sum "${work}/config.json" | cut -d' ' -f1)"
  mv "${work}/config.json" "${work}/${config_sha}.json"
  jq -n --arg cfg "${config_sha}.json" --arg ref "${ref}" --arg layer "${layer_sha}/layer.tar" \
    '[{ Config: $cfg, RepoTags: [$ref], Layers: [$layer] }]' >"${work}/manifest.json"
  tar --create --file "${out}.tmp" --directory "${work}" --numeric-owner --owner=0 --group=0 \
    --mtime=@0 manifest.json "${config_sha}.json" "${layer_sha}"
  mv "${out}.tmp" "${out}"
  rm -rf "${work}"
}
