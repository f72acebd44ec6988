#!/usr/bin/env bash
# Drift check for CI: run it on a schedule against the live cluster.
# Contract: exit 0 when the cluster matches the configuration,
#           exit 2 when it drifted (or there are changes not applied yet),
#           exit 1 when the check itself failed (cluster unreachable, bad config).
set -uo pipefail
cd "$(dirname "$0")/infra" || exit 1

# -detailed-exitcode: 0 no changes, 1 error, 2 changes. -lock=false: a read-only
# check must not block (or be blocked by) someone's apply.
tofu plan -detailed-exitcode -input=false -lock=false -no-color
code=$?

case "$code" in
  0) echo "No drift: the cluster matches the configuration." ;;
  2) echo "DRIFT: the cluster differs from the configuration; see the plan above." ;;
  *) echo "ERROR: tofu plan failed (exit $code), so drift is unknown." >&2; exit 1 ;;
esac
exit "$code"
