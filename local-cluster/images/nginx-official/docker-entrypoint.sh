#!/bin/sh
# The official nginx image's entrypoint contract, written for pod-to-pod's locally built stand-in
# (local-cluster/images/build.sh nginx-official): when the command is nginx or nginx-debug, every
# executable *.envsh in /docker-entrypoint.d/ is sourced and every executable *.sh run, in name
# order, then the command is exec'd. NGINX_ENTRYPOINT_QUIET_LOGS silences what it says.
set -e

entrypoint_log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
    echo "$@"
  fi
}

if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  found=
  for f in /docker-entrypoint.d/*; do
    [ -f "$f" ] || continue
    if [ -z "$found" ]; then
      entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
      entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
      found=yes
    fi
    case "$f" in
      *.envsh | *.sh)
        if [ ! -x "$f" ]; then
          entrypoint_log "$0: Ignoring $f, not executable"
        elif [ "${f%.envsh}" != "$f" ]; then
          entrypoint_log "$0: Sourcing $f"
          # shellcheck disable=SC1090 # the scripts are the image user's
          . "$f"
        else
          entrypoint_log "$0: Launching $f"
          "$f"
        fi
        ;;
      *) entrypoint_log "$0: Ignoring $f" ;;
    esac
  done
  if [ -n "$found" ]; then
    entrypoint_log "$0: Configuration complete; ready for start up"
  else
    entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
  fi
fi

exec "$@"
