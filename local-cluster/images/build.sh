#!/usr/bin/env bash
# Builds pod-to-pod's container images locally, with no registry and no daemon:
#   nginx    Debian's nginx + nginx-common and the libraries nginx links, stock welcome page
#   busybox  Debian's busybox-static with a symlink per applet
#   pause    local-cluster/images/pause/pause.c, linked statically (containerd's sandbox_image)
#   coredns  github.com/coredns/coredns built from the Go module proxy
#   kubectl  kubectl (kubectl/, from the Go module proxy) over Debian's bash, jq and coreutils, the
#            stand-in for registry.k8s.io/kubectl that pods run kubectl scripts in
# and, on request only (not in `all`), stand-ins for the official images the program defaults to:
#   nginx-official    Debian's nginx laid out as the official nginx image: /docker-entrypoint.sh
#                     and its /docker-entrypoint.d/ scripts (nginx-official/), user nginx (101),
#                     /etc/nginx/conf.d/default.conf, a busybox userland for the scripts
#   busybox-official  Debian's busybox-static laid out as the official busybox image: every
#                     applet in /bin, its users, CMD ["sh"]
# Each image is a docker-archive tarball cached as ${POD_TO_POD_CACHE}/images/<name>-<tag>.tar,
# named localhost/pod-to-pod/<name>:<tag> with the tag derived from the package/source version,
# and rebuilt only when that file is missing. Writes ${POD_TO_POD_STATE}/images.json.
#
# Usage: local-cluster/images/build.sh [all|nginx|busybox|pause|coredns|kubectl|nginx-official|busybox-official]...
#   (default: all)
# Prints the image references as JSON on stdout; progress goes to stderr.
set -euo pipefail
shopt -s inherit_errexit

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/docker-archive.sh
source "${IMAGES_DIR}/lib/docker-archive.sh"

POD_TO_POD_CACHE="${POD_TO_POD_CACHE:-/var/cache/pod-to-pod}"
POD_TO_POD_STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
IMAGE_CACHE="${POD_TO_POD_CACHE}/images"
IMAGE_REPO="localhost/pod-to-pod"
COREDNS_VERSION="v1.15.0"
PAUSE_VERSION="$(sed -n 's/^#define PAUSE_VERSION "\(.*\)"$/\1/p' "${IMAGES_DIR}/pause/pause.c")"
# kubectl's release is the one kubectl/go.mod pins: k8s.io/kubectl v0.X.Y is Kubernetes v1.X.Y.
KUBECTL_MODULE="$(awk '$1 == "k8s.io/kubectl" {print $2}' "${IMAGES_DIR}/kubectl/go.mod")"
KUBECTL_VERSION="v1.${KUBECTL_MODULE#v0.}"
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '[images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Docker tags allow [A-Za-z0-9_.-]: drop a Debian epoch, map "~" and "+" to "_".
# 1:1.35.0-4+deb12u1+b1 -> 1.35.0-4_deb12u1_b1
tag_of() {
  local v="${1#*:}"
  v="${v//\~/_}"
  printf '%s\n' "${v//+/_}"
}

# Candidate version of a Debian package; refreshes the apt lists once if apt knows none.
deb_version() {
  local v
  v="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -z "${v}" || "${v}" == "(none)" ]]; then
    log "apt has no candidate for $1; apt-get update"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    v="$(apt-cache policy "$1" | awk '/Candidate:/ {print $2}')"
  fi
  [[ -n "${v}" && "${v}" != "(none)" ]] || { log "no Debian package $1"; return 1; }
  printf '%s\n' "${v}"
}

# Shared-library packages the given packages need at run time, recursively (lib*, zlib*,
# gcc-*-base only: maintainer-script tooling such as debconf or the init script's iproute2 stays
# out). The packages themselves are not listed. Two apt-cache calls whatever the number of
# packages: each one re-reads the apt lists here.
lib_closure() {
  local flags=(--no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces
    --no-enhances)
  local libs=('^(lib|zlib|gcc-[0-9]+-base)')
  local direct
  mapfile -t direct < <(apt-cache depends --important "${flags[@]}" "$@" |
    awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ {print $2}' | grep -E "${libs[0]}")
  apt-cache depends --recurse --important "${flags[@]}" "${direct[@]}" |
    awk '/^[^ <]/ {print $1}' | grep -E "${libs[0]}" | LC_ALL=C sort -u
}

# Downloads the given packages (pkg or pkg=version) into $1 and unpacks them into $2.
unpack_debs() {
  local debs="$1" rootfs="$2"
  shift 2
  # As root apt cannot hand a scratch dir to its _apt sandbox user; download as root directly.
  (cd "${debs}" && apt-get -q -o APT::Sandbox::User=root download "$@" >&2)
  local deb
  for deb in "${debs}"/*.deb; do
    dpkg-deb -x "${deb}" "${rootfs}"
  done
}

# Writes /etc/passwd and /etc/group; extra lines as "passwd:<line>" or "group:<line>".
write_users() {
  local rootfs="$1" entry
  shift
  mkdir -p "${rootfs}/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"${rootfs}/etc/passwd"
  printf 'root:x:0:\n' >"${rootfs}/etc/group"
  for entry in "$@"; do
    printf '%s\n' "${entry#*:}" >>"${rootfs}/etc/${entry%%:*}"
  done
  printf 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >>"${rootfs}/etc/passwd"
  printf 'nogroup:x:65534:\n' >>"${rootfs}/etc/group"
}

# build_image <name> <tag> <builder-function>: runs the builder into a scratch rootfs unless the
# tarball is cached; prints the image reference.
build_image() {
  local name="$1" tag="$2" builder="$3"
  local ref="${IMAGE_REPO}/${name}:${tag}" out="${IMAGE_CACHE}/${name}-${tag}.tar"
  if [[ -s "${out}" ]]; then
    log "cached ${ref} (${out})"
  else
    log "building ${ref}"
    local work
    work="$(mktemp -d "${IMAGE_CACHE}/.build-${name}-XXXXXX")"
    # build_image runs in main's command substitution, so this fires when it is done or fails.
    # shellcheck disable=SC2064 # expand now
    trap "rm -rf '${work}'" EXIT
    mkdir -p "${work}/rootfs" "${work}/debs"
    local config
    config="$("${builder}" "${work}" "${tag}")"
    docker_archive "${work}/rootfs" "${ref}" "${out}" "${config}"
    log "built ${ref}: $(du -h "${out}" | cut -f1)"
  fi
  printf '%s\n' "${ref}"
}

# nginx_debs <work> [package...]: Debian's nginx, nginx-common and the libraries nginx links (and
# any other packages given) unpacked into <work>/rootfs.
nginx_debs() {
  local work="$1" version libs
  shift
  version="$(deb_version nginx)"
  mapfile -t libs < <(lib_closure nginx)
  log "nginx ${version} with ${libs[*]} $*"
  unpack_debs "${work}/debs" "${work}/rootfs" "nginx=${version}" "nginx-common=${version}" \
    "${libs[@]}" "$@"
}

build_nginx() {
  local work="$1" rootfs="$1/rootfs"
  nginx_debs "${work}"
  # What nginx-common's postinst would do, minus the init system.
  ln -sf ../sites-available/default "${rootfs}/etc/nginx/sites-enabled/default"
  mkdir -p "${rootfs}/var/www/html" "${rootfs}/var/lib/nginx" "${rootfs}/var/log/nginx" \
    "${rootfs}/run" "${rootfs}/tmp"
  cp "${rootfs}/usr/share/nginx/html/index.html" "${rootfs}/var/www/html/index.nginx-debian.html"
  # nginx opens its compiled-in error log before it reads -c's config; point both logs at the
  # container's stdio so that works read-only and as a non-root user too.
  ln -sf /dev/stdout "${rootfs}/var/log/nginx/access.log"
  ln -sf /dev/stderr "${rootfs}/var/log/nginx/error.log"
  chmod 1777 "${rootfs}/tmp"
  rm -rf "${rootfs}"/usr/share/{doc,man,lintian,locale,vim,apport,bug} \
    "${rootfs}"/etc/{init.d,logrotate.d,ufw,default} "${rootfs}/lib/systemd"
  printf 'include /etc/ld.so.conf.d/*.conf\n' >"${rootfs}/etc/ld.so.conf"
  ldconfig -r "${rootfs}"
  # uid 101 is the user the program runs nginx as (as in the upstream nginx image);
  # www-data (33) is the user Debian's stock nginx.conf switches its workers to.
  write_users "${rootfs}" \
    'passwd:www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin' \
    'passwd:nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin' \
    'group:adm:x:4:' 'group:www-data:x:33:' 'group:nginx:x:101:'
  # Fail the build, not the pod, if the library closure is incomplete or the config is broken.
  # (/dev is the runtime's at run time; stand-ins let the stock config's log symlinks resolve.)
  mkdir "${rootfs}/dev"
  touch "${rootfs}/dev/stdout" "${rootfs}/dev/stderr"
  chroot "${rootfs}" /usr/sbin/nginx -v >&2
  chroot "${rootfs}" /usr/sbin/nginx -t -q >&2
  rm -rf "${rootfs:?}/dev"
  grep -q '<title>Welcome to nginx!</title>' "${rootfs}/usr/share/nginx/html/index.html"
  jq -nc --arg path "${PATH_ENV}" '{
      Env: [$path], Cmd: ["nginx", "-g", "daemon off;"], WorkingDir: "/",
      ExposedPorts: {"80/tcp": {}}, StopSignal: "SIGQUIT"
    }'
}

# The official nginx image's layout over Debian's nginx (what differs is in README.md): the
# entrypoint and its scripts, nginx.conf with conf.d/default.conf, the nginx user (101), logs to
# stdio, and busybox for the shell and tools the scripts use (Debian's slim base has dash and
# coreutils instead). nginx is Debian's 1.22, whatever the tag it is imported as.
build_nginx_official() {
  local work="$1" rootfs="$1/rootfs" src="${IMAGES_DIR}/nginx-official" applet
  nginx_debs "${work}" "busybox-static=$(deb_version busybox-static)" \
    "gettext-base=$(deb_version gettext-base)"
  while read -r applet; do
    [[ "${applet}" == "bin/busybox" || -e "${rootfs}/${applet}" ]] && continue
    mkdir -p "${rootfs}/$(dirname "${applet}")"
    ln -s /bin/busybox "${rootfs}/${applet}"
  done < <("${rootfs}/bin/busybox" --list-full)
  rm -rf "${rootfs}"/etc/nginx/{sites-available,sites-enabled,modules-available,modules-enabled} \
    "${rootfs}"/usr/share/{doc,man,lintian,locale,vim,apport,bug,gettext} \
    "${rootfs}"/etc/{init.d,logrotate.d,ufw,default} "${rootfs}/lib/systemd"
  mkdir -p "${rootfs}/etc/nginx/conf.d" "${rootfs}/docker-entrypoint.d" "${rootfs}/var/cache/nginx" \
    "${rootfs}/var/lib/nginx" "${rootfs}/var/log/nginx" "${rootfs}/run" "${rootfs}/tmp" \
    "${rootfs}/root"
  ln -s ../../usr/lib/nginx/modules "${rootfs}/etc/nginx/modules"
  install -m 0644 "${src}/nginx.conf" "${rootfs}/etc/nginx/nginx.conf"
  install -m 0644 "${src}/default.conf" "${rootfs}/etc/nginx/conf.d/default.conf"
  install -m 0644 "${src}/50x.html" "${rootfs}/usr/share/nginx/html/50x.html"
  install -m 0755 "${src}/docker-entrypoint.sh" "${rootfs}/docker-entrypoint.sh"
  install -m 0755 "${src}"/docker-entrypoint.d/* "${rootfs}/docker-entrypoint.d/"
  # The official image's nginx-debug is a debug build; Debian has none: the same binary.
  ln -s nginx "${rootfs}/usr/sbin/nginx-debug"
  ln -sf /dev/stdout "${rootfs}/var/log/nginx/access.log"
  ln -sf /dev/stderr "${rootfs}/var/log/nginx/error.log"
  chmod 1777 "${rootfs}/tmp"
  chmod 0700 "${rootfs}/root"
  printf 'include /etc/ld.so.conf.d/*.conf\n' >"${rootfs}/etc/ld.so.conf"
  ldconfig -r "${rootfs}"
  # Debian's base users, and nginx as the official image adds it.
  write_users "${rootfs}" \
    'passwd:daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' \
    'passwd:bin:x:2:2:bin:/bin:/usr/sbin/nologin' \
    'passwd:www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin' \
    'passwd:nginx:x:101:101:nginx user:/nonexistent:/bin/false' \
    'group:daemon:x:1:' 'group:bin:x:2:' 'group:adm:x:4:' 'group:www-data:x:33:' \
    'group:nginx:x:101:'
  local version
  version="$(deb_version nginx)"
  version="${version#*:}"
  # Fail the build, not the pod: the entrypoint runs its scripts and nginx accepts the config.
  mkdir "${rootfs}/dev"
  touch "${rootfs}/dev/stdout" "${rootfs}/dev/stderr" "${rootfs}/dev/null"
  chroot "${rootfs}" /docker-entrypoint.sh nginx -t >&2
  [[ "$(chroot "${rootfs}" /bin/sh -c 'id -u nginx; id -g nginx')" == $'101\n101' ]]
  rm -rf "${rootfs:?}/dev"
  jq -nc --arg path "${PATH_ENV}" --arg version "${version%%-*}" '{
      Env: [$path, ("NGINX_VERSION=" + $version)], Entrypoint: ["/docker-entrypoint.sh"],
      Cmd: ["nginx", "-g", "daemon off;"], WorkingDir: "/", ExposedPorts: {"80/tcp": {}},
      StopSignal: "SIGQUIT"
    }'
}

# The official busybox image's layout: busybox alone, every applet in /bin (hard links), the
# users of its /etc/passwd, CMD ["sh"]. Debian's busybox is 1.35, whatever the tag it is imported
# as (what differs is in README.md).
build_busybox_official() {
  local work="$1" rootfs="$1/rootfs" applet
  unpack_debs "${work}/debs" "${rootfs}" "busybox-static=$(deb_version busybox-static)"
  rm -rf "${rootfs:?}/usr"
  while read -r applet; do
    [[ "${applet}" == busybox || -e "${rootfs}/bin/${applet}" ]] && continue
    ln "${rootfs}/bin/busybox" "${rootfs}/bin/${applet}"
  done < <("${rootfs}/bin/busybox" --list)
  mkdir -p "${rootfs}/tmp" "${rootfs}/root" "${rootfs}/home" "${rootfs}/var/spool/mail" \
    "${rootfs}/var/www" "${rootfs}/usr/sbin"
  chmod 1777 "${rootfs}/tmp"
  chmod 0700 "${rootfs}/root"
  write_users "${rootfs}" \
    'passwd:daemon:x:1:1:daemon:/usr/sbin:/bin/false' 'passwd:bin:x:2:2:bin:/bin:/bin/false' \
    'passwd:sys:x:3:3:sys:/dev:/bin/false' 'passwd:sync:x:4:100:sync:/bin:/bin/sync' \
    'passwd:mail:x:8:8:mail:/var/spool/mail:/bin/false' \
    'passwd:www-data:x:33:33:www-data:/var/www:/bin/false' \
    'passwd:operator:x:37:37:Operator:/var:/bin/false' \
    'group:daemon:x:1:' 'group:bin:x:2:' 'group:sys:x:3:' 'group:adm:x:4:' 'group:tty:x:5:' \
    'group:mail:x:8:' 'group:wheel:x:10:root' 'group:www-data:x:33:' 'group:operator:x:37:' \
    'group:users:x:100:'
  # shellcheck disable=SC2016 # expanded by the image's sh
  chroot "${rootfs}" /bin/sh -c 'for a in sh wget ping ip nslookup sleep date cat hostname; do
    [ -x "/bin/$a" ] || { echo "busybox has no /bin/$a"; exit 1; }; done' >&2
  jq -nc '{Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]}'
}

build_busybox() {
  local work="$1" rootfs="$1/rootfs" version
  version="$(deb_version busybox-static)"
  unpack_debs "${work}/debs" "${rootfs}" "busybox-static=${version}"
  rm -rf "${rootfs:?}/usr/share"
  local applet
  while read -r applet; do
    [[ "${applet}" == "bin/busybox" ]] && continue
    mkdir -p "${rootfs}/$(dirname "${applet}")"
    ln -sf /bin/busybox "${rootfs}/${applet}"
  done < <("${rootfs}/bin/busybox" --list-full)
  mkdir -p "${rootfs}/tmp" "${rootfs}/root" "${rootfs}/var" "${rootfs}/run"
  chmod 1777 "${rootfs}/tmp"
  write_users "${rootfs}"
  # The applets the program's checks and cluster.sh's smoke test call.
  # shellcheck disable=SC2016 # expanded by the image's sh
  # (No /dev in the chroot, hence no redirections inside.)
  chroot "${rootfs}" /bin/sh -c 'for a in sh wget ping ip nslookup sleep date cat hostname; do
    command -v "$a" || { echo "busybox has no $a applet"; exit 1; }; done' >&2
  jq -nc --arg path "${PATH_ENV}" '{Env: [$path], Cmd: ["sh"], WorkingDir: "/"}'
}

build_pause() {
  local work="$1" rootfs="$1/rootfs"
  gcc -Os -static -Wall -Wextra -Werror -o "${rootfs}/pause" "${IMAGES_DIR}/pause/pause.c"
  strip "${rootfs}/pause"
  "${rootfs}/pause" --version >&2
  jq -nc '{Entrypoint: ["/pause"], User: "65535:65535", WorkingDir: "/"}'
}

build_coredns() {
  local work="$1" rootfs="$1/rootfs"
  log "go install github.com/coredns/coredns@${COREDNS_VERSION} (a few minutes cold)"
  (
    export GOPROXY="https://proxy.golang.org" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
    export CGO_ENABLED=0 GOBIN="${rootfs}"
    go install -trimpath \
      -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=${COREDNS_VERSION}" \
      "github.com/coredns/coredns@${COREDNS_VERSION}"
  ) >&2
  "${rootfs}/coredns" -version >&2
  write_users "${rootfs}"
  jq -nc '{Entrypoint: ["/coredns"], ExposedPorts: {"53/udp": {}, "53/tcp": {}}, WorkingDir: "/"}'
}

# kubectl_binary <work>: kubectl ${KUBECTL_VERSION} built from kubectl/ (our main package, go.mod
# pinning every k8s.io module to the release) with CGO off, so it needs nothing of the rootfs;
# cached outside the clone by version, as build-kwok.sh caches kwok, so rebuilding the image
# (a new Debian package) does not rebuild it. Prints its path.
kubectl_binary() {
  local work="$1" dir="${POD_TO_POD_CACHE}/kubectl-${KUBECTL_VERSION}"
  if [[ -x "${dir}/kubectl" ]]; then
    log "cached kubectl ${KUBECTL_VERSION} (${dir}/kubectl)"
    printf '%s\n' "${dir}/kubectl"
    return
  fi
  command -v go >/dev/null || { log "go is not on PATH (kubectl ${KUBECTL_VERSION} needs Go >= 1.26)"; return 1; }
  log "go build kubectl ${KUBECTL_VERSION} (k8s.io/kubectl ${KUBECTL_MODULE}) -> ${dir}/kubectl (cold: a few minutes)"
  # What kubernetes' release build stamps (hack/lib/version.sh); without it `kubectl version`
  # says v0.0.0-master. Both packages: kubectl reads client-go's, its flags component-base's.
  local minor="${KUBECTL_VERSION#v1.}" pkg ldflags=(-s -w)
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=(-X "${pkg}.gitVersion=${KUBECTL_VERSION}" -X "${pkg}.gitMajor=1"
      -X "${pkg}.gitMinor=${minor%%.*}" -X "${pkg}.gitTreeState=clean")
  done
  GOPROXY="https://proxy.golang.org" GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=readonly" \
    CGO_ENABLED=0 go -C "${IMAGES_DIR}/kubectl" build -trimpath -ldflags "${ldflags[*]}" \
    -o "${work}/kubectl" . >&2
  # Static or the build fails: the image's glibc is bash's and jq's, not kubectl's to rely on.
  if readelf -l "${work}/kubectl" | grep -q 'program interpreter'; then
    log "kubectl is dynamically linked"
    return 1
  fi
  # Into the cache by a rename, so a kubectl there is always a whole one.
  mkdir -p "${dir}"
  cp "${work}/kubectl" "${dir}/.kubectl.tmp"
  mv "${dir}/.kubectl.tmp" "${dir}/kubectl"
  log "built kubectl ${KUBECTL_VERSION}: $(du -h "${dir}/kubectl" | cut -f1)"
  printf '%s\n' "${dir}/kubectl"
}

# The registry.k8s.io/kubectl image's contract (/bin/kubectl, ENTRYPOINT ["/bin/kubectl"], root)
# with what pods' kubectl scripts use beside kubectl: Debian's bash, jq and coreutils and their
# libraries. The image is not Debian's whole base: no dash, apt, dpkg, grep, sed or curl.
build_kubectl() {
  local work="$1" rootfs="$1/rootfs" pkg debs=() libs kubectl
  for pkg in bash jq coreutils; do
    debs+=("${pkg}=$(deb_version "${pkg}")")
  done
  mapfile -t libs < <(lib_closure bash jq coreutils)
  log "${debs[*]} with ${libs[*]}"
  unpack_debs "${work}/debs" "${rootfs}" "${debs[@]}" "${libs[@]}"
  kubectl="$(kubectl_binary "${work}")"
  install -m 0755 "${kubectl}" "${rootfs}/bin/kubectl"
  rm -rf "${rootfs}"/usr/share/{doc,man,info,lintian,locale,bug,menu}
  # Debian's /bin/sh is dash; bash stands in, so `sh -c` and #!/bin/sh scripts run too.
  ln -s bash "${rootfs}/bin/sh"
  mkdir -p "${rootfs}/tmp" "${rootfs}/root"
  chmod 1777 "${rootfs}/tmp"
  # kubectl keeps its discovery cache under $HOME/.kube: root's home must exist.
  chmod 0700 "${rootfs}/root"
  printf 'include /etc/ld.so.conf.d/*.conf\n' >"${rootfs}/etc/ld.so.conf"
  ldconfig -r "${rootfs}"
  write_users "${rootfs}"
  # Fail the build, not the pod: the library closure is complete, every tool the scripts call is
  # there and kubectl reports the release it was stamped with. (No /dev: no redirections.)
  # shellcheck disable=SC2016 # expanded by the image's bash
  chroot "${rootfs}" /usr/bin/env -i "${PATH_ENV}" HOME=/root /bin/bash -c 'set -euo pipefail
    for c in bash sh kubectl jq cat mkdir mv rm sleep base64 date; do command -v "$c"; done
    jq --version
    [[ "$(kubectl version --client -o json | jq -r .clientVersion.gitVersion)" == "$1" ]]' \
    - "${KUBECTL_VERSION}" >&2
  jq -nc --arg path "${PATH_ENV}" '{Env: [$path], Entrypoint: ["/bin/kubectl"], WorkingDir: "/"}'
}

main() {
  local wanted=("$@")
  ((${#wanted[@]})) || wanted=(all)
  [[ " ${wanted[*]} " == *" all "* ]] && wanted=(nginx busybox pause coredns kubectl)
  mkdir -p "${IMAGE_CACHE}" "${POD_TO_POD_STATE}"
  local -A refs=()
  local name
  for name in "${wanted[@]}"; do
    case "${name}" in
      nginx) refs[nginx]="$(build_image nginx "$(tag_of "$(deb_version nginx)")" build_nginx)" ;;
      busybox)
        refs[busybox]="$(build_image busybox "$(tag_of "$(deb_version busybox-static)")" build_busybox)"
        ;;
      pause) refs[pause]="$(build_image pause "${PAUSE_VERSION}" build_pause)" ;;
      coredns) refs[coredns]="$(build_image coredns "${COREDNS_VERSION#v}" build_coredns)" ;;
      kubectl) refs[kubectl]="$(build_image kubectl "${KUBECTL_VERSION}" build_kubectl)" ;;
      nginx-official)
        refs[nginx-official]="$(build_image nginx-official "$(tag_of "$(deb_version nginx)")" \
          build_nginx_official)"
        ;;
      busybox-official)
        refs[busybox-official]="$(build_image busybox-official \
          "$(tag_of "$(deb_version busybox-static)")" build_busybox_official)"
        ;;
      *)
        log "unknown image '${name}' (expected all, nginx, busybox, pause, coredns, kubectl, nginx-official or busybox-official)"
        return 2
        ;;
    esac
  done
  # Merge into images.json so a partial build keeps the other names.
  local json="${POD_TO_POD_STATE}/images.json" current='{}'
  [[ -s "${json}" ]] && current="$(cat "${json}")"
  for name in "${!refs[@]}"; do
    current="$(jq --arg k "${name}" --arg v "${refs[${name}]}" '.[$k] = $v' <<<"${current}")"
  done
  jq -S . <<<"${current}" >"${json}.tmp"
  mv "${json}.tmp" "${json}"
  cat "${json}"
}

main "$@"
