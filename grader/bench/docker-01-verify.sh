#!/usr/bin/env bash
# docker-01-verify.sh WORKSPACE TAG
#
# The nine checks of docker/01-containerise-model-api written the way
# shell-script graders (Killercoda, Instruqt "check" scripts) do them: the
# docker CLI plus grep/awk, one `PASS|FAIL <id>` line per check, exit 1 if
# any check fails. It is the baseline `npm run bench` compares the grader to,
# so it deliberately does what such scripts do and nothing more (no parsed
# Dockerfile model, no hints, no timeouts per check).
#
# TAG names the image this script builds; the caller removes it, its
# intermediate images and any container left over (see grader/bench/run.ts).
# VERIFY_TIMINGS=1 appends each check's milliseconds to its line.
# shellcheck disable=SC2317 # the check functions are called through check()
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 WORKSPACE TAG" >&2
  exit 2
fi
WS=$1
TAG=$2
DF=$WS/Dockerfile
# Same patterns as the grader (CIS Docker Benchmark 4.10).
SECRET_NAME='(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)'
SIZE_BUDGET=$((10 * 1024 * 1024))

failed=0
cid=''
# A check interrupted half-way must not leave its container running.
trap '[[ -n $cid ]] && docker rm -f "$cid" >/dev/null 2>&1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# EPOCHREALTIME's decimal separator follows the locale.
now_ms() { echo $((${EPOCHREALTIME//[.,]/} / 1000)); }
t0=$(now_ms)
report() { # report PASS|FAIL ID
  [[ $1 == FAIL ]] && failed=1
  if [[ ${VERIFY_TIMINGS:-} == 1 ]]; then
    local t
    t=$(now_ms)
    echo "$1 $2 $((t - t0))"
    t0=$t
  else
    echo "$1 $2"
  fi
}
check() { # check ID FUNCTION: PASS when FUNCTION succeeds; returns its status
  if "$2"; then
    report PASS "$1"
  else
    report FAIL "$1"
    return 1
  fi
}

# The Dockerfile as logical lines: continuations joined, comments dropped (as
# Docker does), so `ENV A=1 \` followed by `    TOKEN=x` is seen as one ENV.
dockerfile_lines() {
  awk '/^[[:space:]]*#/ { next }
       cont && /^[[:space:]]*$/ { next }
       { cont = sub(/\\[[:space:]]*$/, ""); printf "%s%s", $0, (cont ? " " : "\n") }' "$DF"
}

# One line per FROM: the image, then 1 if it names an earlier stage, else 0.
from_images() {
  awk 'toupper($1) == "FROM" {
      img = ""; name = ""
      for (i = 2; i <= NF; i++) {
        if ($i ~ /^--/) continue
        if (img == "") img = $i
        else if (toupper($i) == "AS" && i < NF) name = tolower($(i + 1))
      }
      print img, (tolower(img) in stage) ? 1 : 0
      if (name != "") stage[name] = 1
    }' <<<"$DF_LINES"
}

dockerfile_exists() {
  [[ -f $DF ]] || return 1
  DF_LINES=$(dockerfile_lines)
  grep -qiE '^[[:space:]]*FROM[[:space:]]' <<<"$DF_LINES"
}

tags_pinned() {
  local img is_stage last tag
  while read -r img is_stage; do
    [[ $is_stage == 1 || $img == *@sha256:* ]] && continue
    last=${img##*/}
    [[ $last == *:* ]] || return 1
    tag=${last##*:}
    [[ $tag != latest && $tag =~ [0-9]+\.[0-9]+ ]] || return 1
  done < <(from_images)
}

no_secrets() {
  # Any ARG with a credential-like name; an ENV only when it sets a value.
  ! grep -qiE "^[[:space:]]*ARG[[:space:]]+[A-Za-z0-9_]*${SECRET_NAME}" <<<"$DF_LINES" &&
    ! grep -qiE "^[[:space:]]*ENV[[:space:]](.*[[:space:]])?[A-Za-z0-9_]*${SECRET_NAME}[A-Za-z0-9_]*(=[^[:space:]]|[[:space:]]+[^[:space:]=])" <<<"$DF_LINES"
}

multi_stage() {
  local froms
  froms=$(grep -ciE '^[[:space:]]*FROM[[:space:]]' <<<"$DF_LINES")
  # The COPY --from has to be in the final stage, i.e. after the last FROM.
  ((froms >= 2)) && awk 'toupper($1) == "FROM" { n = 0 } { line[n++] = $0 } END { for (i = 0; i < n; i++) print line[i] }' <<<"$DF_LINES" |
    grep -qiE '^[[:space:]]*COPY[[:space:]].*--from='
}

image_builds() {
  local out
  if ! out=$(docker build -q -t "$TAG" "$WS" 2>&1); then
    tail -n 20 <<<"$out" >&2
    return 1
  fi
}

non_root() {
  local user
  user=$(docker image inspect --format '{{.Config.User}}' "$TAG") || return 1
  case $user in '' | root | 0 | 0:0 | root:root | root:0 | 0:root) return 1 ;; esac
}

has_healthcheck() {
  local hc
  hc=$(docker image inspect --format '{{json .Config.Healthcheck}}' "$TAG") || return 1
  [[ $hc != null && $hc != *'"Test":null'* && $hc != *'["NONE"'* ]]
}

reports_healthy() {
  local state='' deadline
  cid=$(docker run -d --health-interval=1s -e MODEL_API_KEY=x "$TAG") || return 1
  deadline=$(($(now_ms) + 90000))
  while :; do
    # The run state comes with the health in the same inspect, so a crashed
    # API fails at once instead of after 90 s.
    state=$(docker inspect --format '{{.State.Status}} {{.State.Health.Status}}' "$cid") || break
    [[ $state == 'running healthy' || $state != running\ * ]] && break
    (($(now_ms) < deadline)) || break
    sleep 0.25
  done
  docker rm -f "$cid" >/dev/null
  cid=''
  [[ $state == 'running healthy' ]]
}

under_budget() {
  local base is_stage size base_size=0
  read -r base is_stage < <(from_images | tail -n 1)
  # A final stage built on an earlier stage counts from 0, as in the grader.
  if [[ $is_stage == 0 ]]; then
    base_size=$(docker image inspect --format '{{.Size}}' "$base") || return 1
  fi
  size=$(docker image inspect --format '{{.Size}}' "$TAG") || return 1
  ((size - base_size <= SIZE_BUDGET))
}

# Later checks need earlier ones (as the lab's `needs`): with no Dockerfile
# or no image there is nothing to look at, so they are reported as failed.
fail_all() { for id in "$@"; do report FAIL "$id"; done; }
if check dockerfile-exists dockerfile_exists; then
  check base-image-tag-pinned tags_pinned
  check no-secrets-in-env no_secrets
  check dockerfile-is-multi-stage multi_stage
  if check image-builds image_builds; then
    check image-runs-as-non-root non_root
    if check image-has-healthcheck has_healthcheck; then
      check container-reports-healthy reports_healthy
    else
      fail_all container-reports-healthy
    fi
    check final-image-under-size-budget under_budget
  else
    fail_all image-runs-as-non-root image-has-healthcheck container-reports-healthy final-image-under-size-budget
  fi
else
  fail_all base-image-tag-pinned no-secrets-in-env dockerfile-is-multi-stage image-builds image-runs-as-non-root \
    image-has-healthcheck container-reports-healthy final-image-under-size-budget
fi
exit "$failed"
