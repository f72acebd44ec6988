#!/usr/bin/env bash
# .ci/build-base-image.sh IMAGE_TAG
#
# Builds a local stand-in for the labs' base image (python:3.11-slim-bookworm)
# without any image registry, and loads it into the Docker engine under
# IMAGE_TAG.
#
# Learners (and any machine with internet) simply run
#     docker pull python:3.11-slim-bookworm
# CI and development machines here reach Debian's package archive but no image
# registry, so this script makes an equivalent image from Debian packages:
#   1. debootstrap --variant=minbase bookworm with python3 (plus pip,
#      python-is-python3 and ca-certificates, so lab Dockerfiles that run
#      `pip install` or `python` work as on the official image);
#   2. strips docs, man pages, locales, apt lists and caches, and removes
#      Debian's EXTERNALLY-MANAGED marker (the official image lets root pip
#      install into the system Python too);
#   3. `tar | docker import` with CMD ["python3"], LANG=C.UTF-8 and the label
#      org.mlops-lab.base-image=debootstrap.
# Where this machine trusts extra CA certificates (a TLS proxy), they are
# added to the image too, so pip inside containers can verify PyPI.
# Differences from the official image: Debian's Python 3.11.2 in /usr/bin
# instead of python.org's latest 3.11.x in /usr/local/bin, and no
# PYTHON_VERSION/GPG_KEY variables.
#
# The root filesystem tarball is cached in ${MLOPS_LAB_CI_CACHE:-/var/cache/mlops-lab-ci}
# keyed by IMAGE_TAG and the recipe, so a later run only imports it (~1-5 s;
# debootstrap takes about a minute). Honours DOCKER_HOST. Needs root and
# debootstrap for the first build.
#
# Environment:
#   MLOPS_LAB_CI_CACHE         cache folder (default /var/cache/mlops-lab-ci)
#   MLOPS_LAB_DEBIAN_MIRROR    Debian mirror for debootstrap (default: the one
#                              apt on this machine uses, else debootstrap's own)
#   MLOPS_LAB_BASE_IMAGE_REBUILD=1  ignore the cached tarball
set -euo pipefail

usage() {
  echo "usage: $0 IMAGE_TAG   (e.g. $0 python:3.11-slim-bookworm)" >&2
  exit 2
}
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage
TAG=$1

SUITE=bookworm
INCLUDE=python3,python3-pip,python-is-python3,ca-certificates
RECIPE_VERSION=1 # bump when the strip steps below change
CACHE_DIR=${MLOPS_LAB_CI_CACHE:-/var/cache/mlops-lab-ci}

START=$SECONDS
log() { printf '[build-base-image +%ss] %s\n' "$((SECONDS - START))" "$*"; }
die() {
  printf '[build-base-image] error: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null || die "the docker CLI is not on PATH"
if ! server=$(timeout 20 docker version --format '{{.Server.Version}}' 2>&1); then
  die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}): $server"
fi

recipe_hash=$(printf '%s\n' "$SUITE" minbase "$INCLUDE" "$RECIPE_VERSION" | sha256sum | cut -c1-12)
safe_tag=${TAG//[^A-Za-z0-9._-]/_}
CACHE_TAR="$CACHE_DIR/base-image-${safe_tag}-${recipe_hash}.rootfs.tar"

WORK=''
TMP_TAR=''
cleanup() {
  local rc=$?
  [[ -n $TMP_TAR ]] && rm -f "$TMP_TAR"
  if [[ -n $WORK && -d $WORK ]]; then
    # debootstrap can leave /proc and /sys mounted in the target when it fails:
    # unmount anything below WORK before deleting it.
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
    rm -rf --one-file-system "$WORK" || true
  fi
  exit "$rc"
}
trap cleanup EXIT

import_tar() {
  local tar_file=$1
  log "importing $tar_file as $TAG into Docker Engine $server"
  docker import \
    -c 'CMD ["python3"]' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'LABEL org.mlops-lab.base-image=debootstrap' \
    - "$TAG" <"$tar_file" >/dev/null
  log "imported: $(docker image inspect --format '{{.Id}} {{.Size}} bytes' "$TAG")"
}

if [[ -f $CACHE_TAR && ${MLOPS_LAB_BASE_IMAGE_REBUILD:-0} != 1 ]]; then
  log "using cached root filesystem $CACHE_TAR"
  import_tar "$CACHE_TAR"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "debootstrap needs root (no cached tarball at $CACHE_TAR)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"

# The Debian mirror apt on this machine already uses (deb822 or one-line format).
debian_mirror() {
  if [[ -n ${MLOPS_LAB_DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "$MLOPS_LAB_DEBIAN_MIRROR"
    return
  fi
  local files=() f uri=''
  for f in /etc/apt/sources.list.d/*.sources; do [[ -f $f ]] && files+=("$f"); done
  if ((${#files[@]})); then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }' "${files[@]}")
  fi
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  printf '%s\n' "$uri"
}

mkdir -p "$CACHE_DIR" 2>/dev/null || true
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-lab-base-image.XXXXXX")
ROOTFS="$WORK/rootfs"
mirror=$(debian_mirror)
log "debootstrap --variant=minbase --include=$INCLUDE $SUITE ${mirror:-(the default mirror of debootstrap)}"
if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS" ${mirror:+"$mirror"} >"$WORK/debootstrap.log" 2>&1; then
  echo "---- last lines of the debootstrap log ----" >&2
  tail -n 40 "$WORK/debootstrap.log" >&2 || true
  [[ -f $ROOTFS/debootstrap/debootstrap.log ]] && tail -n 20 "$ROOTFS/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi
log "debootstrap done ($(du -sm "$ROOTFS" | cut -f1) MB)"

# Slim it down, the way the official slim images are.
(
  cd "$ROOTFS"
  rm -rf usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
    var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/debconf/*-old \
    tmp/* var/tmp/* root/.cache
  find var/log -type f -delete
  rm -f usr/lib/python3*/EXTERNALLY-MANAGED
  # Keep later `apt-get install`s in derived images slim too.
  mkdir -p etc/dpkg/dpkg.cfg.d
  printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
    'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/locale/*' \
    >etc/dpkg/dpkg.cfg.d/mlops-lab-slim
  # Docker provides these at run time.
  : >etc/resolv.conf
  : >etc/hostname
)
# Trust what this machine trusts: where outbound TLS goes through a proxy with
# its own CA (as on the CI machines), copy the host's extra CA certificates in,
# so `pip install` in a lab's Dockerfile verifies like pip on the host does.
# They go to /usr/local/share/ca-certificates, so update-ca-certificates in a
# derived image keeps them. MLOPS_LAB_BASE_IMAGE_HOST_CA=0 turns this off.
host_bundle=/etc/ssl/certs/ca-certificates.crt
image_bundle=$ROOTFS/etc/ssl/certs/ca-certificates.crt
if [[ ${MLOPS_LAB_BASE_IMAGE_HOST_CA:-1} != 0 && -f $host_bundle && -f $image_bundle ]]; then
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  added=$(awk -v known="$image_bundle" -v out="$ROOTFS/usr/local/share/ca-certificates/mlops-lab-host" '
    BEGIN {
      while ((getline line < known) > 0) {
        sub(/\r$/, "", line)
        if (line ~ /-BEGIN CERTIFICATE-/) cur = ""
        cur = cur line "\n"
        if (line ~ /-END CERTIFICATE-/) seen[cur] = 1
      }
    }
    { sub(/\r$/, "") }
    /-BEGIN CERTIFICATE-/ { cur = ""; inside = 1 }
    inside { cur = cur $0 "\n" }
    /-END CERTIFICATE-/ {
      inside = 0
      if (!(cur in seen)) { n++; f = out "-" n ".crt"; printf "%s", cur > f; close(f) }
    }
    END { print n + 0 }' "$host_bundle")
  if ((added > 0)); then
    chroot "$ROOTFS" update-ca-certificates >>"$WORK/debootstrap.log" 2>&1 || die "update-ca-certificates failed in the image"
    log "added $added CA certificate(s) this machine trusts beyond Debian's set"
  fi
fi

py_version=$(chroot "$ROOTFS" python3 -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?')
log "stripped to $(du -sm "$ROOTFS" | cut -f1) MB (Python $py_version)"

if [[ -d $CACHE_DIR && -w $CACHE_DIR ]]; then
  tar_file="$CACHE_TAR"
else
  log "cache folder $CACHE_DIR is not writable; not caching"
  tar_file="$WORK/rootfs.tar"
fi
TMP_TAR="$tar_file.tmp.$$"
tar -C "$ROOTFS" --numeric-owner -cf "$TMP_TAR" .
mv -f "$TMP_TAR" "$tar_file"
TMP_TAR=''
log "root filesystem tarball: $tar_file ($(du -sm "$tar_file" | cut -f1) MB)"
import_tar "$tar_file"
