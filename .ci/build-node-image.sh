#!/usr/bin/env bash
# .ci/build-node-image.sh [IMAGE_TAG]
#
# Builds a local stand-in for node:24-bookworm-slim (the base image of the
# capstone's reference Dockerfile) without any image registry, and loads it
# into the Docker engine under IMAGE_TAG (default node:24-bookworm-slim).
#
# Learners (and any machine with internet) simply run
#     docker pull node:24-bookworm-slim
# Machines here reach no image registry, so this script layers the Node 24
# binary this machine runs (`command -v node`) over the local Debian bookworm
# image python:3.11-slim-bookworm (itself made by .ci/build-base-image.sh
# when no registry answers): a three-line Dockerfile, `docker build`, the
# binary in the build context. Like the official image it has
# /usr/local/bin/node, a `node` user with uid and gid 1000, NODE_VERSION and
# CMD ["node"]. Differences: no npm, yarn or corepack (the capstone image runs
# a bundle and installs nothing), Python 3.11 is there too, and the image
# carries the label org.mlops-lab.base-image=node-from-host.
#
# A second run with the same Node version and base image finds the label and
# changes nothing (about 1 s). Honours DOCKER_HOST.
#
# Environment:
#   MLOPS_LAB_NODE_BASE           base image (default python:3.11-slim-bookworm)
#   MLOPS_LAB_NODE_IMAGE_REBUILD=1  rebuild even when the image is current
set -euo pipefail

usage() {
  echo "usage: $0 [IMAGE_TAG]   (default node:24-bookworm-slim)" >&2
  exit 2
}
[[ $# -le 1 ]] || usage
TAG=${1:-node:24-bookworm-slim}
[[ -n $TAG && $TAG != -* ]] || usage
BASE=${MLOPS_LAB_NODE_BASE:-python:3.11-slim-bookworm}
NODE_MAJOR=24
RECIPE_VERSION=1 # bump when the Dockerfile below changes

START=$SECONDS
log() { printf '[build-node-image +%ss] %s\n' "$((SECONDS - START))" "$*"; }
die() {
  printf '[build-node-image] error: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null || die "the docker CLI is not on PATH"
if ! server=$(timeout 20 docker version --format '{{.Server.Version}}' 2>&1); then
  die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}): $server"
fi

node_bin=$(command -v node || true)
[[ -n $node_bin ]] || die "no node on PATH; put Node $NODE_MAJOR first on PATH (e.g. export PATH=/opt/node24/package/bin:\$PATH)"
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" -p 'process.versions.node')
[[ ${node_version%%.*} == "$NODE_MAJOR" ]] ||
  die "$node_bin is Node $node_version; the image needs Node $NODE_MAJOR (put a Node $NODE_MAJOR binary first on PATH)"
case $(uname -m) in
  x86_64 | aarch64) ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

base_id=$(docker image inspect --format '{{.Id}}' "$BASE" 2>/dev/null) ||
  die "the base image $BASE is not in the engine; \`docker pull $BASE\`, or without a registry \`bash .ci/build-base-image.sh $BASE\`"
recipe="node-$node_version base-$base_id recipe-$RECIPE_VERSION"

current=$(docker image inspect --format '{{index .Config.Labels "org.mlops-lab.node-image"}}' "$TAG" 2>/dev/null || true)
if [[ $current == "$recipe" && ${MLOPS_LAB_NODE_IMAGE_REBUILD:-0} != 1 ]]; then
  log "$TAG is current (Node $node_version on $BASE); nothing to do"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-lab-node-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The binary may carry symbols and debug info (about 18 MB); the image does not need them.
cp "$node_bin" "$WORK/node"
chmod 0755 "$WORK/node"
if command -v strip >/dev/null && strip --strip-all "$WORK/node" 2>/dev/null && "$WORK/node" --version >/dev/null; then
  log "copied $node_bin (Node $node_version), symbols stripped: $(du -m "$WORK/node" | cut -f1) MB"
else
  cp "$node_bin" "$WORK/node"
  log "copied $node_bin (Node $node_version): $(du -m "$WORK/node" | cut -f1) MB"
fi

cat >"$WORK/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node && node --version
ENV NODE_VERSION=$node_version
LABEL org.mlops-lab.base-image=node-from-host org.mlops-lab.node-image="$recipe"
CMD ["node"]
DOCKERFILE

log "docker build -t $TAG (Docker Engine $server)"
# The classic builder: it needs no buildx plugin, and this recipe uses nothing BuildKit adds.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$TAG" "$WORK" >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2
  die "docker build failed"
fi
log "built: $(docker image inspect --format '{{.Id}} {{.Size}} bytes' "$TAG")"
