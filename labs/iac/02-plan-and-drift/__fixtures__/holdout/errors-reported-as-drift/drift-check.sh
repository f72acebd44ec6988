#!/usr/bin/env bash
# Looks right, and is what many blog posts show: any non-zero exit "means drift".
cd "$(dirname "$0")/infra" || exit 1
if tofu plan -detailed-exitcode -input=false -lock=false -no-color; then
  echo "No drift."
  exit 0
else
  echo "DRIFT detected!"
  exit 2
fi
