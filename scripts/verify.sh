#!/usr/bin/env bash
# npm run verify: the checks again, against the deployed stack, with the project's Pulumi setup.
set -euo pipefail
# shellcheck source=lib/pulumi-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pulumi-env.sh"
cd "$POD_TO_POD_ROOT"
exec node_modules/.bin/tsx scripts/verify.ts "$@"
