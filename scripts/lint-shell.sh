#!/usr/bin/env bash
# `npm run lint`'s shell part: Debian's shellcheck over every shell file of the repository (the
# *.sh files and any other tracked file whose first line runs bash or sh, such as .ci/run). It
# needs no network and no root; a finding fails it, unless disabled on its line with the reason.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck is missing: install Debian's with 'sudo apt-get install shellcheck'" \
    "(scripts/test.sh does it when run as root)" >&2
  exit 1
fi

shell_files() {
  local file
  while IFS= read -r -d '' file; do
    [[ -f "${file}" ]] || continue
    if [[ "${file}" == *.sh ]] || head -n1 "${file}" | grep -qE '^#!.*\b(ba)?sh\b'; then
      printf '%s\n' "${file}"
    fi
  done < <(git ls-files -z --cached --others --exclude-standard)
}

mapfile -t files < <(shell_files)
((${#files[@]})) || { echo "no shell files found" >&2; exit 1; }
# --external-sources: follow `source` into the files it names (the `# shellcheck source=` lines
# are relative to each script's own directory, see .shellcheckrc).
shellcheck --external-sources "${files[@]}"
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#files[@]} shell files, no findings"
