#!/bin/sh
# Renders ${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}/**/*${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
# into ${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d} with envsubst, substituting only the
# variables the environment defines (those matching NGINX_ENVSUBST_FILTER, when it is set), as
# the official image does.
set -e
ME=$(basename "$0")
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
  exit 0
fi
# shellcheck disable=SC2016 # "${NAME}" for envsubst's list, not for this shell
defined_envs=$(env | cut -d= -f1 | grep -E "${filter:-.}" | sed 's/.*/${&}/' | tr '\n' ' ')
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  relative_path="${template#"$template_dir/"}"
  output_path="$output_dir/${relative_path%"$suffix"}"
  mkdir -p "$(dirname "$output_path")"
  echo "$ME: Running envsubst on $template to $output_path"
  envsubst "$defined_envs" <"$template" >"$output_path"
done
