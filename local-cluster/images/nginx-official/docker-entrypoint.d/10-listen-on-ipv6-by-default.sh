#!/bin/sh
# Adds `listen [::]:80;` to the stock default.conf when the pod has IPv6 and the file is writable
# and still has no IPv6 listener (the official image's contract; nothing to do on a read-only root).
set -e
ME=$(basename "$0")
CONF=/etc/nginx/conf.d/default.conf

if [ ! -f /proc/net/if_inet6 ]; then
  echo "$ME: info: ipv6 not available"
  exit 0
fi
if [ ! -f "$CONF" ]; then
  echo "$ME: info: $CONF is not a file or does not exist"
  exit 0
fi
if ! touch "$CONF" 2>/dev/null; then
  echo "$ME: info: can not modify $CONF (read-only file system?)"
  exit 0
fi
if grep -q 'listen *\[::\]:' "$CONF"; then
  echo "$ME: info: $CONF already listens on IPv6"
  exit 0
fi
sed -i 's/^\( *\)listen  *80;/&\n\1listen  [::]:80;/' "$CONF"
echo "$ME: info: Enabled listen on IPv6 in $CONF"
