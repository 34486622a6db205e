#!/usr/bin/env bash
# Builds the Pulumi toolchain this project runs on from source, through the Go module proxy only,
# at the versions package-lock.json pins:
#   pulumi + pulumi-language-nodejs   @pulumi/pulumi's version
#   pulumi-resource-kubernetes        @pulumi/kubernetes's version
#   pulumi-resource-command           @pulumi/command's version
# and installs the two providers into PULUMI_HOME. Binaries are cached outside the clone in
# $POD_TO_POD_CACHE/toolchain/<piece>-v<version>/; a piece already there is only checked, so a
# warm run takes seconds. Missing prerequisites (Node.js, npm, CA certificates) come from apt-get.
# docs/toolchain.md explains every step and what it costs.
#
# Usage: scripts/toolchain.sh
set -euo pipefail

readonly GO_PROXY_URL="https://proxy.golang.org"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t_start=$SECONDS

say() { printf '[toolchain %s] %s\n' "$(clock $((SECONDS - t_start)))" "$*"; }
clock() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# --- prerequisites ---------------------------------------------------------------------------

ensure_prerequisites() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [[ -s /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
  if ((${#missing[@]})); then
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
      echo "toolchain: missing ${missing[*]} and cannot apt-get them (not root or no apt)" >&2
      exit 1
    fi
    say "installing with apt-get: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "toolchain: Go is not installed. Debian 12's golang-go (1.19) is too old to build these;" \
      "install Go >= 1.21 (it then fetches the Go release the modules ask for from the proxy)." >&2
    exit 1
  fi
  local go_minor
  go_minor="$(go env GOVERSION | sed -nE 's/^go1\.([0-9]+).*/\1/p')"
  if [[ -z "$go_minor" || "$go_minor" -lt 21 ]]; then
    echo "toolchain: $(go env GOVERSION) is too old; Go >= 1.21 is needed (toolchain switching)" >&2
    exit 1
  fi
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if ((node_major < 20)); then
    say "warning: Node.js $(node --version) is older than package.json's engines (>=20)"
  fi
}

ensure_prerequisites
# shellcheck source-path=SCRIPTDIR source=lib/pulumi-env.sh
source "$script_dir/lib/pulumi-env.sh"

export GOPROXY="$GO_PROXY_URL" GOFLAGS=-mod=mod CGO_ENABLED=0
toolchain_dir="$POD_TO_POD_CACHE/toolchain"
build_root="$toolchain_dir/build"
log_dir="$toolchain_dir/logs"
mkdir -p "$build_root" "$log_dir"

pv="$POD_TO_POD_PULUMI_VERSION"
kv="$POD_TO_POD_KUBERNETES_VERSION"
cv="$POD_TO_POD_COMMAND_VERSION"
cli_dir="$toolchain_dir/pulumi-v$pv"
k8s_dir="$toolchain_dir/pulumi-resource-kubernetes-v$kv"
cmd_dir="$toolchain_dir/pulumi-resource-command-v$cv"
readonly pulumi_version_var="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

# --- helpers (each piece runs in its own subshell; these fail it with a reason) ---------------

piece="" piece_log=""

fail() {
  echo "toolchain: FAILED $piece: $*" >&2
  exit 1
}

step() { say "$piece: $*"; }

# run_step <description> <command...>: runs the command in the background, output to the piece's
# log, printing the elapsed time every minute; on failure shows the end of the log.
run_step() {
  local desc="$1" pid t0=$SECONDS next=60
  shift
  step "$desc"
  printf '\n### %s\n$ %s\n' "$desc" "$*" >>"$piece_log"
  "$@" >>"$piece_log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - t0 >= next)); then
      say "$piece: still $desc ($(clock $((SECONDS - t0))))"
      next=$((next + 60))
    fi
  done
  trap - INT TERM
  if ! wait "$pid"; then
    tail -n 25 "$piece_log" | sed 's/^/    /' >&2
    fail "$desc failed after $(clock $((SECONDS - t0))); full log: $piece_log"
  fi
}

oneline() { tr '\n\t' '  ' <<<"$1" | tr -s ' '; }

# json_get <dotted.path>: reads JSON on stdin, prints the value or nothing.
json_get() {
  node -e '
    let v = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) console.log(v);' "$1"
}

# mod_info <module@query>: `go mod download -json` of one module version (downloads it), or fails
# with the proxy's answer. Runs outside any module.
mod_info() {
  local out
  out="$(cd "$build_root" && go mod download -json "$1" 2>&1)" || true
  if [[ -n "$(json_get Error <<<"$out" 2>/dev/null)" || -z "$(json_get Dir <<<"$out" 2>/dev/null)" ]]; then
    oneline "$(json_get Error <<<"$out" 2>/dev/null || echo "$out")" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

# resolve <module> <query...>: the canonical version of the first query the proxy resolves.
resolve() {
  local module="$1" query out version
  shift
  for query in "$@"; do
    if out="$(cd "$build_root" && go list -m -json "$module@$query" 2>&1)" &&
      version="$(json_get Version <<<"$out")" && [[ -n "$version" ]]; then
      echo "$version"
      return 0
    fi
    echo "    $(oneline "$out")" >>"$piece_log"
  done
  return 1
}

# release_commit <module@version>...: the commit hash (Origin.Hash) of the first tag the proxy
# knows with its origin; the proxy only records the origin for tags it fetched from GitHub.
release_commit() {
  local candidate out hash
  for candidate in "$@"; do
    out="$(cd "$build_root" && go list -m -json "$candidate" 2>&1)" || {
      echo "    $(oneline "$out")" >>"$piece_log"
      continue
    }
    hash="$(json_get Origin.Hash <<<"$out")"
    if [[ -n "$hash" ]]; then
      echo "    release commit $hash from $candidate" >>"$piece_log"
      echo "$hash"
      return 0
    fi
    echo "    $candidate: resolves, but the proxy recorded no Origin.Hash" >>"$piece_log"
  done
  return 1
}

# replaces_of <go.mod>: its replace directives as "old|new-path|new-version" lines.
replaces_of() {
  go mod edit -json "$1" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace || []) {
      const old = r.Old.Path + (r.Old.Version ? "@" + r.Old.Version : "");
      console.log([old, r.New.Path, r.New.Version || ""].join("|"));
    }'
}

# adopt_replaces <go.mod of the module being built> <tag> <commit>: copies its module replaces
# into the go.mod in the current directory; a directory replace (a sibling module of the same
# repository, e.g. sdk/v3 => ../sdk) becomes a requirement on that module at the release, the
# tag if the proxy has it, else the release commit.
adopt_replaces() {
  local gomod="$1" tag="$2" commit="$3" old new_path new_version version
  while IFS='|' read -r old new_path new_version; do
    [[ -n "$old" ]] || continue
    if [[ -n "$new_version" ]]; then
      go mod edit -replace="$old=$new_path@$new_version"
    else
      go mod edit -dropreplace="${old%@*}"
      version="$(resolve "${old%@*}" "$tag" "$commit")" ||
        fail "the proxy has ${old%@*} neither at $tag nor at commit $commit (see $piece_log)"
      echo "    ${old%@*} => $new_path replaced by require ${old%@*} $version" >>"$piece_log"
      go mod edit -require="${old%@*}@$version"
    fi
  done < <(replaces_of "$gomod")
}

# check_build_list <module@version>...: fails when minimal version selection raised a pinned
# module above the release (the binary would then not be the pinned version).
check_build_list() {
  local pin actual
  for pin in "$@"; do
    actual="$(go list -m -f '{{.Version}}' "${pin%@*}")"
    [[ "$actual" == "${pin#*@}" ]] || fail "build list has ${pin%@*} $actual, not ${pin#*@}"
  done
}

# go_build <out> <package> <ldflags> [build flags...]: builds into <out> atomically.
go_build() {
  local out="$1" pkg="$2" ldflags="$3"
  shift 3
  mkdir -p "$(dirname "$out")"
  run_step "compiling $(basename "$out")" \
    go build -trimpath "$@" -ldflags "$ldflags" -o "$out.tmp" "$pkg"
  mv -f "$out.tmp" "$out"
}

# cached <binary> <version>: the binary is one this script built and stamped for <version>. (The
# -X version stamp cannot be read back: with -trimpath Go does not record -ldflags in the binary.)
cached() {
  [[ -x "$1" && -f "$1.buildinfo" ]] &&
    [[ "$(sed -n 's/^version: //p' "$1.buildinfo")" == "v$2" ]] &&
    [[ "$(sed -n 's/^sha256: //p' "$1.buildinfo")" == "$(sha256sum "$1" | cut -d' ' -f1)" ]]
}

# stamp <binary> <version> <lines...>: records how the binary was built, next to it.
stamp() {
  local bin="$1" ver="$2"
  shift 2
  printf '%s\n' "version: v$ver" "sha256: $(sha256sum "$bin" | cut -d' ' -f1)" "$@" \
    "go: $(go env GOVERSION)" "built: $(date -u +%FT%TZ)" >"$bin.buildinfo"
}

# check_module <binary> <module> <version>: the binary's build info names that module version.
check_module() {
  go version -m "$1" | grep -qE "^[[:space:]](mod|dep)[[:space:]]+$2[[:space:]]+$3([[:space:]]|\$)" ||
    fail "$(basename "$1") was not built from $2 $3: $(go version -m "$1" | grep -E "[[:space:]]$2[[:space:]]" || echo "module missing")"
}

# --- pieces ----------------------------------------------------------------------------------

build_cli() {
  local bin="$cli_dir/pulumi"
  if cached "$bin" "$pv"; then
    step "cached ($bin)"
  else
    compile_cli
  fi
  check_module "$bin" github.com/pulumi/pulumi/pkg/v3 "v$pv"
  check_module "$bin" github.com/pulumi/pulumi/sdk/v3 "v$pv"
  local reported
  reported="$("$bin" version 2>>"$piece_log")" || fail "$bin version failed (see $piece_log)"
  [[ "$reported" == "v$pv" ]] || fail "$bin reports '$reported', expected v$pv"
  step "reports $reported"
  # The SDK's Node.js shims (in 3.270: pulumi-resource-pulumi-nodejs, for dynamic providers; up
  # to 3.220 also pulumi-analyzer-policy) go next to the CLI, as in the release archives.
  local info shim
  info="$(mod_info "github.com/pulumi/pulumi/sdk/v3@v$pv" 2>>"$piece_log")" ||
    fail "the Go proxy refuses the SDK module: $(tail -n 1 "$piece_log")"
  for shim in "$(json_get Dir <<<"$info")"/nodejs/dist/*; do
    [[ "$shim" == *.cmd ]] && continue
    install -m 0755 "$shim" "$cli_dir/$(basename "$shim")"
  done
}

compile_cli() {
  local bin="$cli_dir/pulumi" t0=$SECONDS wrapper="$build_root/pulumi-v$pv" info gomod
  rm -rf "$wrapper" && mkdir -p "$wrapper" && cd "$wrapper"
  step "fetching github.com/pulumi/pulumi/pkg/v3@v$pv"
  info="$(mod_info "github.com/pulumi/pulumi/pkg/v3@v$pv" 2>>"$piece_log")" ||
    fail "the Go proxy refuses the CLI module: $(tail -n 1 "$piece_log")"
  gomod="$(json_get GoMod <<<"$info")"
  go mod init pod-to-pod.local/toolchain/pulumi >>"$piece_log" 2>&1
  go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v$pv" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$pv"
  # pkg replaces sdk/v3 => ../sdk, which the wrapper turns into the tag v$pv.
  adopt_replaces "$gomod" "v$pv" "v$pv"
  go_build "$bin" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X $pulumi_version_var=v$pv" -tags osusergo,grpcnotrace
  check_build_list "github.com/pulumi/pulumi/pkg/v3@v$pv" "github.com/pulumi/pulumi/sdk/v3@v$pv"
  stamp "$bin" "$pv" "module: github.com/pulumi/pulumi/pkg/v3@v$pv" \
    "build seconds: $((SECONDS - t0))"
}

build_language_host() {
  local module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
  local bin="$cli_dir/pulumi-language-nodejs" t0=$SECONDS
  if cached "$bin" "$pv"; then
    step "cached ($bin)"
  else
    local wrapper="$build_root/pulumi-language-nodejs-v$pv" commit version info
    rm -rf "$wrapper" && mkdir -p "$wrapper" && cd "$wrapper"
    step "finding the release commit of v$pv (the language host has no tags of its own)"
    commit="$(release_commit "github.com/pulumi/pulumi@v$pv+incompatible" \
      "github.com/pulumi/pulumi/sdk/v3@v$pv" "github.com/pulumi/pulumi/pkg/v3@v$pv")" ||
      fail "no release commit for v$pv: the proxy gives no Origin.Hash (see $piece_log)"
    version="$(resolve "$module" "$commit")" ||
      fail "the Go proxy does not serve $module at commit $commit (see $piece_log)"
    step "fetching $module@$version"
    info="$(mod_info "$module@$version" 2>>"$piece_log")" ||
      fail "the Go proxy refuses the module: $(tail -n 1 "$piece_log")"
    go mod init pod-to-pod.local/toolchain/pulumi-language-nodejs >>"$piece_log" 2>&1
    go mod edit -require="$module@$version" -require="github.com/pulumi/pulumi/pkg/v3@v$pv" \
      -require="github.com/pulumi/pulumi/sdk/v3@v$pv"
    adopt_replaces "$(json_get GoMod <<<"$info")" "v$pv" "$commit"
    go_build "$bin" "$module" "-X $pulumi_version_var=v$pv" -tags osusergo,grpcnotrace
    check_build_list "github.com/pulumi/pulumi/sdk/v3@v$pv"
    stamp "$bin" "$pv" "module: $module@$version" "release commit: $commit" \
      "build seconds: $((SECONDS - t0))"
  fi
  check_module "$bin" "$module" "$(sed -n 's/^module: .*@//p' "$bin.buildinfo")"
  check_module "$bin" github.com/pulumi/pulumi/sdk/v3 "v$pv"
}

# build_provider <name> <version> <dir> <repo module> <provider module> <version var> <tags...>
build_provider() {
  local name="$1" ver="$2" dir="$3" repo="$4" module="$5" version_var="$6"
  shift 6
  local bin="$dir/pulumi-resource-$name" t0=$SECONDS
  if cached "$bin" "$ver"; then
    step "cached ($bin)"
    return 0
  fi
  local work="$build_root/pulumi-resource-$name-v$ver" commit version info src
  local candidates=("$@")
  rm -rf "$work" && mkdir -p "$work"
  step "finding the release commit of $repo v$ver ($module has no tags of its own)"
  commit="$(release_commit "${candidates[@]}")" ||
    fail "no release commit for v$ver: the proxy gives no Origin.Hash for ${candidates[*]} (see $piece_log)"
  version="$(resolve "$module" "$commit")" ||
    fail "the Go proxy does not serve $module at the release commit $commit (see $piece_log)"
  step "fetching $module@$version"
  info="$(mod_info "$module@$version" 2>>"$piece_log")" ||
    fail "the Go proxy refuses the module: $(tail -n 1 "$piece_log")"
  # A writable copy of the provider module is the main module: its own replaces then apply as
  # upstream's build has them, and go generate can write next to main.go.
  src="$work/src"
  cp -R "$(json_get Dir <<<"$info")" "$src"
  chmod -R u+w "$src"
  cd "$src"
  adopt_replaces go.mod "v$ver" "$commit"
  if grep -q '^//go:generate' "cmd/pulumi-resource-$name/main.go"; then
    # kubernetes: writes schema-embed.json (schema.json with "version" set) and
    # terraform-mapping-embed.json, which main.go embeds.
    run_step "generating embedded files (go generate)" \
      env VERSION="$ver" go generate "./cmd/pulumi-resource-$name"
  fi
  if [[ -f "cmd/pulumi-resource-$name/schema-embed.json" ]]; then
    [[ "$(json_get version <"cmd/pulumi-resource-$name/schema-embed.json")" == "$ver" ]] ||
      fail "schema-embed.json does not carry version $ver"
  fi
  go_build "$bin" "./cmd/pulumi-resource-$name" "-X $version_var=v$ver"
  stamp "$bin" "$ver" "module: $module@$version" "release commit: $commit" \
    "build seconds: $((SECONDS - t0))"
}

build_kubernetes() {
  build_provider kubernetes "$kv" "$k8s_dir" github.com/pulumi/pulumi-kubernetes \
    github.com/pulumi/pulumi-kubernetes/provider/v4 \
    github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version \
    "github.com/pulumi/pulumi-kubernetes@v$kv+incompatible" \
    "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$kv"
}

build_command() {
  build_provider command "$cv" "$cmd_dir" github.com/pulumi/pulumi-command \
    github.com/pulumi/pulumi-command/provider \
    github.com/pulumi/pulumi-command/provider/pkg/version.Version \
    "github.com/pulumi/pulumi-command@v$cv" \
    "github.com/pulumi/pulumi-command/sdk@v$cv"
}

# install_plugin <name> <version> <binary>: into PULUMI_HOME, unless that exact binary is there.
install_plugin() {
  local name="$1" ver="$2" bin="$3" installed schema_version
  installed="$PULUMI_HOME/plugins/resource-$name-v$ver/pulumi-resource-$name"
  if [[ -x "$installed" ]] && cmp -s "$bin" "$installed"; then
    step "already installed in $PULUMI_HOME"
  else
    run_step "pulumi plugin install resource $name $ver" \
      "$cli_dir/pulumi" plugin install resource "$name" "$ver" --file "$bin" --reinstall
  fi
  # The provider itself reports its version through its schema.
  schema_version="$("$cli_dir/pulumi" package get-schema "$installed" 2>>"$piece_log" |
    json_get version)" || fail "pulumi package get-schema failed (see $piece_log)"
  if [[ -z "$schema_version" ]]; then
    step "warning: the provider's schema carries no version; trusting the build stamp"
  elif [[ "${schema_version#v}" != "$ver" ]]; then
    fail "the provider's schema says version $schema_version, expected $ver"
  else
    step "provider reports version $schema_version"
  fi
}

# --- main ------------------------------------------------------------------------------------

failed=()
# run_piece <piece> <function>: one subshell per piece, so one failure does not hide the others.
run_piece() {
  local t0=$SECONDS rc
  set +e
  (
    set -e
    piece="$1"
    piece_log="$log_dir/$1.log"
    : >"$piece_log"
    "$2"
  )
  rc=$?
  set -e
  if ((rc == 0)); then
    say "$1: ok ($(clock $((SECONDS - t0))))"
  else
    failed+=("$1")
  fi
}

say "pins from package-lock.json: pulumi $pv, kubernetes $kv, command $cv; cache $toolchain_dir"
run_piece "pulumi-v$pv" build_cli
run_piece "pulumi-language-nodejs-v$pv" build_language_host
run_piece "pulumi-resource-kubernetes-v$kv" build_kubernetes
run_piece "pulumi-resource-command-v$cv" build_command

install_kubernetes() { install_plugin kubernetes "$kv" "$k8s_dir/pulumi-resource-kubernetes"; }
install_command() { install_plugin command "$cv" "$cmd_dir/pulumi-resource-command"; }
if [[ -x "$cli_dir/pulumi" && -x "$k8s_dir/pulumi-resource-kubernetes" ]]; then
  run_piece "install-kubernetes-v$kv" install_kubernetes
fi
if [[ -x "$cli_dir/pulumi" && -x "$cmd_dir/pulumi-resource-command" ]]; then
  run_piece "install-command-v$cv" install_command
fi

say "binaries:"
for bin in "$cli_dir"/pulumi "$cli_dir"/pulumi-language-nodejs \
  "$k8s_dir"/pulumi-resource-kubernetes "$cmd_dir"/pulumi-resource-command; do
  if [[ -x "$bin" ]]; then
    printf '    %-6s %s\n' "$(du -h "$bin" | cut -f1)" "$bin"
  else
    printf '    %-6s %s\n' "-" "$bin (missing)"
  fi
done
say "PULUMI_HOME=$PULUMI_HOME"
if ((${#failed[@]})); then
  say "FAILED: ${failed[*]} (logs in $log_dir)"
  exit 1
fi
say "done; use it with: source scripts/lib/pulumi-env.sh"
