#!/usr/bin/env bash
# Build the API's image where no container registry is reachable: its base images are made here
# from Debian's packages (debootstrap) instead of being pulled. With a registry, `docker build -t
# article-facts .` is all it takes, and this script is not needed.
#
#   local/bookworm            debootstrap --variant=minbase bookworm, imported (root, debootstrap)
#   local/python:3.11-slim    stand-in for python:3.11-slim (deploy/local-images/python)
#   local/postgres:15         stand-in for postgres:15 (deploy/local-images/postgres), which
#                             docker-compose.yml runs when POSTGRES_IMAGE names it
#   article-facts             the project's Dockerfile, with BASE_IMAGE=local/python:3.11-slim
#
# A base image is made only when it is missing or its recipe changed (its label
# org.article-facts.recipe holds a hash of what made it), so a second run takes seconds. The
# project's image is built every time; Docker's layer cache makes an unchanged build quick.
#
# Usage: deploy/build-local-images.sh [--bases-only]
# Environment: IMAGE (default article-facts); DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR; a Docker
# engine must answer (here: deploy/start-dockerd.sh starts one). DOCKER_BUILD_NETWORK (e.g.
# host) is passed to `docker build --network`; deploy/start-dockerd.sh sets it in
# /run/article-facts-dockerd.env when it had to start the engine without NAT.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-article-facts}
SUITE=bookworm
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
BOOKWORM=local/bookworm
PYTHON_IMAGE=local/python:3.11-slim
POSTGRES_IMAGE=local/postgres:15
LABEL=org.article-facts.recipe
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

bases_only=false
case "${1:-}" in
  "") ;;
  --bases-only) bases_only=true ;;
  *) echo "usage: $0 [--bases-only]" >&2; exit 2 ;;
esac

if [[ -z "${DOCKER_BUILD_NETWORK:-}" && -r /run/article-facts-dockerd.env ]]; then
  # shellcheck disable=SC1091
  . /run/article-facts-dockerd.env
fi

say() { echo "build-local-images: $*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s%N; }
since() {  # seconds since $1 (a now), to a tenth
  local tenths=$((($(now) - $1) / 100000000))
  echo "$((tenths / 10)).$((tenths % 10))"
}

docker info >/dev/null 2>&1 \
  || die "no Docker engine answers (as root, deploy/start-dockerd.sh starts one)"

# Proxy settings of this machine, if any, for debootstrap (it reads them itself), apt and pip
# in the builds (Docker's predefined build arguments: they stay out of the image).
build_args=()
for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  if [[ -n "${!var:-}" ]]; then build_args+=(--build-arg "$var=${!var}"); fi
done
if [[ -n "${DOCKER_BUILD_NETWORK:-}" ]]; then build_args+=(--network "$DOCKER_BUILD_NETWORK"); fi

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
# The image a build replaced ($1, its id before), if nothing uses it any more: no dangling
# copies pile up. One still in use (a parent of another) goes with the last image using it.
drop_replaced() {
  if [[ -n "$1" && "$1" != "$(image_id "$2")" ]]; then
    docker rmi "$1" >/dev/null 2>&1 || true
  fi
}

recipe_of_image() {
  docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true
}

# This machine's way to Debian's mirrors, carried into the images' apt: its proxy, and whether
# it checks the dates of Release files (off where the mirror serves a snapshot).
host_apt_settings() {
  command -v apt-config >/dev/null || return 0
  apt-config dump | grep -E '^Acquire::(https?|ftp)::Proxy |^Acquire::Check-(Valid-Until|Date) ' \
    || true
}

# What makes a debootstrapped tree a base image: apt and dpkg set up as in Debian's official
# slim images (no caches, no package lists, no docs or translations), Debian's updates and
# security suites, and nothing of this machine (its resolv.conf or hostname).
prepare_rootfs() {
  local root=$1
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/*
  mkdir -p "$root"/var/lib/apt/lists/partial
  cat > "$root"/etc/apt/sources.list <<EOF
deb $DEBIAN_MIRROR $SUITE main
deb $DEBIAN_MIRROR $SUITE-updates main
deb $DEBIAN_SECURITY_MIRROR $SUITE-security main
EOF
  cat > "$root"/etc/apt/apt.conf.d/docker-clean <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  host_apt_settings > "$root"/etc/apt/apt.conf.d/90build-host
  [[ -s "$root"/etc/apt/apt.conf.d/90build-host ]] || rm "$root"/etc/apt/apt.conf.d/90build-host
  echo 'Acquire::Languages "none";' > "$root"/etc/apt/apt.conf.d/docker-no-languages
  echo 'Acquire::GzipIndexes "true";' > "$root"/etc/apt/apt.conf.d/docker-gzip-indexes
  echo 'Apt::AutoRemove::SuggestsImportant "false";' \
    > "$root"/etc/apt/apt.conf.d/docker-autoremove-suggests
  cat > "$root"/etc/dpkg/dpkg.cfg.d/docker <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
  find "$root"/usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
  find "$root"/usr/share/doc -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/usr/share/lintian/*
  rm -f "$root"/etc/resolv.conf "$root"/etc/hostname
  : > "$root"/etc/machine-id
  find "$root"/var/log -type f -exec truncate -s 0 {} +
}

make_bookworm() {
  local recipe
  recipe=$({
    echo "$SUITE minbase $DEBIAN_MIRROR $DEBIAN_SECURITY_MIRROR"
    declare -f prepare_rootfs
    host_apt_settings
  } | sha256sum | cut -c1-16)
  if [[ "$(recipe_of_image "$BOOKWORM")" == "$recipe" ]]; then
    say "$BOOKWORM is up to date"
    return
  fi
  [[ $(id -u) == 0 ]] || die "debootstrap needs root to make $BOOKWORM"
  command -v debootstrap >/dev/null \
    || die "debootstrap is not installed (apt-get install debootstrap)"
  local start rootfs previous
  start=$(now)
  previous=$(image_id "$BOOKWORM")
  rootfs=$(mktemp -d /var/tmp/local-bookworm.XXXXXX)
  # shellcheck disable=SC2064  # expand now: the trap must remove this very directory
  trap "rm -rf '$rootfs'" EXIT
  say "debootstrap --variant=minbase $SUITE (from $DEBIAN_MIRROR)"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$DEBIAN_MIRROR" > "$rootfs.log" 2>&1 \
    || { tail -n 20 "$rootfs.log" >&2; rm -f "$rootfs.log"; die "debootstrap failed"; }
  rm -f "$rootfs.log"
  prepare_rootfs "$rootfs"
  tar --numeric-owner -C "$rootfs" -c . \
    | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["bash"]' \
      -c "LABEL $LABEL=$recipe" \
      -m "debootstrap --variant=minbase $SUITE" - "$BOOKWORM" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  drop_replaced "$previous" "$BOOKWORM"
  say "$BOOKWORM made in $(since "$start") s"
}

# A stand-in from deploy/local-images/<dir>, on local/bookworm, with this machine's CA bundle
# in its build context if its Dockerfile copies it.
make_stand_in() {
  local tag=$1 dir=deploy/local-images/$2 recipe context start previous ca=""
  if grep -q ca-certificates.crt "$dir/Dockerfile"; then ca=$CA_BUNDLE; fi
  recipe=$({ image_id "$BOOKWORM"; cat "$dir"/* ${ca:+"$ca"}; } | sha256sum | cut -c1-16)
  if [[ "$(recipe_of_image "$tag")" == "$recipe" ]]; then
    say "$tag is up to date"
    return
  fi
  start=$(now)
  previous=$(image_id "$tag")
  context=$(mktemp -d)
  cp -p "$dir"/* "$context"/
  if [[ -n $ca ]]; then cp "$ca" "$context"/ca-certificates.crt; fi
  say "building $tag"
  if ! docker build --build-arg "BASE=$BOOKWORM" "${build_args[@]}" --label "$LABEL=$recipe" \
    -t "$tag" "$context" > "$context.log" 2>&1; then
    tail -n 30 "$context.log" >&2
    rm -rf "$context" "$context.log"
    die "building $tag failed"
  fi
  rm -rf "$context" "$context.log"
  drop_replaced "$previous" "$tag"
  say "$tag built in $(since "$start") s"
}

make_bookworm
make_stand_in "$PYTHON_IMAGE" python
make_stand_in "$POSTGRES_IMAGE" postgres
$bases_only && exit 0

start=$(now)
previous=$(image_id "$IMAGE")
say "building $IMAGE (docker build --build-arg BASE_IMAGE=$PYTHON_IMAGE)"
docker build --build-arg "BASE_IMAGE=$PYTHON_IMAGE" "${build_args[@]}" -t "$IMAGE" .
drop_replaced "$previous" "$IMAGE"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
say "$IMAGE built in $(since "$start") s; $((size / 1000000)) MB"
