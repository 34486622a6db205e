#!/bin/sh
# With NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE set, sets nginx.conf's worker_processes to the
# CPUs the container may use: its cgroup's CPU quota (v2 cpu.max, v1 cfs quota/period), rounded
# up, or else the CPUs online.
set -e
ME=$(basename "$0")
[ -n "${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}" ] || exit 0
CONF=/etc/nginx/nginx.conf

quota=max
period=100000
if [ -r /sys/fs/cgroup/cpu.max ]; then
  read -r quota period </sys/fs/cgroup/cpu.max
elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
  quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
  period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
fi
cpus=$(nproc)
if [ "$quota" != max ] && [ "$quota" -gt 0 ]; then
  limited=$(((quota + period - 1) / period))
  [ "$limited" -lt "$cpus" ] && cpus=$limited
fi
if ! touch "$CONF" 2>/dev/null; then
  echo "$ME: info: can not modify $CONF (read-only file system?)"
  exit 0
fi
sed -i "s/^worker_processes .*/worker_processes  $cpus;/" "$CONF"
echo "$ME: info: worker_processes set to $cpus"
