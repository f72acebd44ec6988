#!/usr/bin/env bash
# Plans and passes tofu's exit code on, but without -detailed-exitcode a plan with changes exits 0.
set -uo pipefail
cd "$(dirname "$0")/infra" || exit 1
tofu plan -input=false -lock=false -no-color
code=$?
if [ "$code" -ne 0 ]; then
  echo "ERROR: plan failed" >&2
  exit 1
fi
echo "Plan finished."
exit 0
