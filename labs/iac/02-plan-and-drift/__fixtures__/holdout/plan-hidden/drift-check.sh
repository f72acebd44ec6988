#!/usr/bin/env bash
# Right exit codes, but CI logs only say "drift", not what drifted.
cd "$(dirname "$0")/infra" || exit 1
tofu plan -detailed-exitcode -input=false -lock=false -no-color > /dev/null 2>&1
code=$?
case "$code" in
  0) echo "clean" ;;
  2) echo "drift" ;;
  *) echo "error"; exit 1 ;;
esac
exit "$code"
