#!/usr/bin/env bash
# Fails, saying what to set, unless the job has a Pulumi backend that outlives the runner and the
# credentials the stack's secrets need. CI never falls back to a local backend or makes up a
# passphrase: a preview against an empty local stack says "create everything", and a stack created
# with a made-up passphrase cannot be opened by anyone else.
#
# Reads: STACK, PULUMI_BACKEND_URL (vars), PULUMI_ACCESS_TOKEN and PULUMI_CONFIG_PASSPHRASE
# (secrets; only whether they are set), RUNNER_ENVIRONMENT (github-hosted | self-hosted) and the
# stack's Pulumi.<stack>.yaml (secretsprovider, encryptionsalt) in the working directory.
# Writes the problems as error annotations and, when GITHUB_STEP_SUMMARY is set, to the job summary.
set -euo pipefail

stack="${STACK:?STACK names the stack}"
url="${PULUMI_BACKEND_URL:-}"
problems=()

problem() {
  problems+=("$1")
}

# Which backend, from the URL's scheme.
case "$url" in
  "")
    if [[ -n "${PULUMI_ACCESS_TOKEN:-}" ]]; then
      backend="cloud"
      where="Pulumi Cloud"
    else
      backend="none"
      problem "No Pulumi backend: set the repository variable PULUMI_BACKEND_URL to one that outlives the runner (s3://, gs://, azblob://, or https://api.pulumi.com), or the repository secret PULUMI_ACCESS_TOKEN for Pulumi Cloud. Without one a preview diffs against an empty stack and a deploy loses its state with the runner."
    fi
    ;;
  https://* | http://*)
    backend="cloud"
    where="$url"
    if [[ -z "${PULUMI_ACCESS_TOKEN:-}" ]]; then
      problem "PULUMI_BACKEND_URL is $url, a Pulumi Cloud service: set the repository secret PULUMI_ACCESS_TOKEN to an access token for it."
    fi
    ;;
  file://*)
    backend="diy"
    where="$url"
    if [[ "${RUNNER_ENVIRONMENT:-}" != "self-hosted" ]]; then
      problem "PULUMI_BACKEND_URL is $url, a directory on the runner: a GitHub-hosted runner is deleted after the job, and the state with it. Use object storage (s3://, gs://, azblob://) or Pulumi Cloud, or run the jobs on a self-hosted runner (repository variables POD_TO_POD_DEPLOY_RUNNER and POD_TO_POD_PREVIEW_RUNNER; a preview then reads the state the deploy runner keeps, so both must see that directory)."
    fi
    ;;
  *://*)
    backend="diy"
    where="$url"
    ;;
  *)
    backend="none"
    problem "PULUMI_BACKEND_URL is '$url', which is not a backend URL: give a scheme (s3://, gs://, azblob://, file://, https://)."
    ;;
esac

# Whether the stack's secrets need a passphrase: its own file says which provider it uses; a stack
# file without one uses the backend's default, which is the passphrase on a self-managed backend.
stack_file="Pulumi.${stack##*/}.yaml"
provider=""
salt=""
if [[ -f "$stack_file" ]]; then
  provider="$(sed -n 's/^secretsprovider:[[:space:]]*//p' "$stack_file" | tr -d "\"'" | head -n 1)"
  salt="$(sed -n 's/^encryptionsalt:[[:space:]]*//p' "$stack_file" | head -n 1)"
fi
if [[ "$provider" == "passphrase" || (-z "$provider" && (-n "$salt" || "$backend" == "diy")) ]]; then
  secrets="the passphrase"
  if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]]; then
    problem "Stack $stack keeps its secrets with a passphrase ($stack_file names no other secrets provider): set the repository secret PULUMI_CONFIG_PASSPHRASE to the passphrase the stack was created with. CI does not make one up."
  fi
elif [[ -n "$provider" ]]; then
  secrets="$provider"
else
  secrets="the backend's own"
fi

if ((${#problems[@]} > 0)); then
  for p in "${problems[@]}"; do
    echo "::error title=Pulumi backend for stack $stack::$p"
  done
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    {
      echo "### ❌ No usable Pulumi backend for stack \`$stack\`"
      echo
      for p in "${problems[@]}"; do echo "- $p"; done
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  exit 1
fi
echo "Stack $stack on $where; secrets: $secrets."
