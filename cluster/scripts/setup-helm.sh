#!/usr/bin/env bash
# Builds a pinned Helm from the Go module proxy into .venv/bin/helm, for the
# chart tests (`helm lint`, `helm template`) on machines without a Helm
# package. Idempotent: does nothing when that version is already there.
# Needs Go 1.24+ (PATH or /usr/local/go/bin). A cold build downloads about
# 200 modules and takes 3-4 minutes on 2 cores; later runs use Go's caches.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${MLOPS_LAB_HELM_BIN:-$ROOT/.venv/bin}"

if [[ -x "$BIN/helm" ]] && [[ "$("$BIN/helm" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
  echo "helm $HELM_VERSION is already in $BIN"
  exit 0
fi

export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  echo "error: Go is needed to build Helm (https://go.dev/dl/), or install Helm $HELM_VERSION yourself and put it in $BIN" >&2
  exit 3
fi

mkdir -p "$BIN"
# -modcacherw: the module cache stays deletable; the ldflags stamp the version `helm version` prints.
GOFLAGS="${GOFLAGS:-} -modcacherw" GOBIN="$BIN" CGO_ENABLED=0 \
  go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
echo "built $("$BIN/helm" version --template '{{.Version}}') into $BIN/helm"
