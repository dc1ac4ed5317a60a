#!/usr/bin/env bash
# Make sure a Docker engine answers, on a Debian machine where none runs (CI's): install what the
# Docker tests use from Debian's packages if it is missing (docker.io, debootstrap,
# docker-compose), then start dockerd in the background unless an engine already answers.
# deploy/build-local-images.sh and tests/test_docker.py need it; .ci/run calls it.
#
# Usage: deploy/start-dockerd.sh          start one if needed; prints "started" if it did
#        deploy/start-dockerd.sh --stop   stop the dockerd this script started, if it runs
#
# Exit status, and the reason on stderr:
#   0  an engine answers
#   2  this machine cannot run one: not root, dockerd not installed (nor installable), or the
#      kernel lets no process make the namespaces a container needs
#   1  it could have started and did not (dockerd's log follows): a fault to fix, not a skip
#
# dockerd runs with its defaults (overlay2 where the kernel has it, iptables NAT for the
# containers' way out). Where iptables cannot be used it runs without, and then builds must
# use the host's network: /run/article-facts-dockerd.env says DOCKER_BUILD_NETWORK=host, which
# deploy/build-local-images.sh reads.
set -uo pipefail

LOG=/var/log/article-facts-dockerd.log
PIDFILE=/run/article-facts-dockerd.pid
ENVFILE=/run/article-facts-dockerd.env

say() { echo "start-dockerd: $*" >&2; }
answers() { timeout 10 docker info >/dev/null 2>&1; }
# The pid in pid file $1 if that process is alive (not a zombie) and named $2.
alive() {
  local pid state
  pid=$(cat "$1" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] || return 1
  echo "$pid"
}

if [[ "${1:-}" == --stop ]]; then
  if pid=$(alive "$PIDFILE" dockerd); then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do alive "$PIDFILE" dockerd >/dev/null || break; sleep 1; done
  fi
  rm -f "$PIDFILE" "$ENVFILE"
  exit 0
fi

# What the Docker tests use, by the command each package brings: the engine (needed), and
# debootstrap and docker-compose (deploy/build-local-images.sh and the compose test say so
# themselves when they are missing).
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1
      out=$(apt-get install -y -qq "${missing[@]}" 2>&1) \
        || say "could not install ${missing[*]} from Debian's packages: $(tail -n 3 <<<"$out")"
    fi
  else
    say "${missing[*]} missing (root installs them: apt-get install ${missing[*]})"
  fi
fi

answers && exit 0

if ! command -v dockerd >/dev/null; then
  say "no Docker engine answers, and dockerd is not installed (apt-get install docker.io)"
  exit 2
fi

if [[ $(id -u) != 0 ]]; then
  say "no Docker engine answers, and only root can start one"
  exit 2
fi
if ! unshare --mount --uts --ipc --net --pid --fork true 2>/dev/null; then
  say "this machine lets no process make the namespaces a container needs (unshare failed)"
  exit 2
fi

# A dockerd killed without its cleanup (as when a session's processes are ended) leaves its pid
# files; a new one refuses to start on its own, or waits forever for a containerd that is gone,
# while the old process is not yet reaped. A live dockerd that does not answer is not ours to
# end: give it time, then say so.
if pid=$(alive /var/run/docker.pid dockerd); then
  say "a dockerd (pid $pid) runs but does not answer yet; waiting"
  for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
  say "dockerd (pid $pid) runs but does not answer; stop it, or see its log"
  exit 1
fi
rm -f /var/run/docker.pid
alive /var/run/docker/containerd/containerd.pid containerd >/dev/null \
  || rm -f /var/run/docker/containerd/containerd.pid

# One try of dockerd with these flags: 0 once it answers, 1 if it died or never answered.
try_dockerd() {
  say "starting dockerd${*:+ $*} (log: $LOG)"
  echo "=== $(date -u +%FT%TZ) dockerd $*" >> "$LOG"
  setsid nohup dockerd "$@" >> "$LOG" 2>&1 < /dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    if answers; then
      pid=$(cat /var/run/docker.pid 2>/dev/null || echo "$pid")
      echo "$pid" > "$PIDFILE"
      say "dockerd answers (pid $pid)"
      echo started
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  return 1
}

rm -f "$ENVFILE"
try_dockerd && exit 0
if tail -n 20 "$LOG" | grep -qi iptables; then
  say "dockerd could not use iptables; trying without (builds then use the host's network)"
  if try_dockerd --iptables=false --ip-masq=false; then
    echo "DOCKER_BUILD_NETWORK=host" > "$ENVFILE"
    exit 0
  fi
fi
say "dockerd did not start; the end of its log:"
tail -n 25 "$LOG" >&2
exit 1
