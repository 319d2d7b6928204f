#!/bin/sh
# `make package-smoke`: unpack the built archive as a new bench would, stage the install, and run
# `--version` and `self-check` from it with a clean environment (no venv, no project on any path).
#
#   packaging/smoke-package.sh ARCHIVE.tar.gz
set -eu

archive=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
scratch=$(mktemp -d /tmp/refurb-bench-smoke.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
tar -C "$scratch" -xzf "$archive"
unpacked=$(find "$scratch" -mindepth 1 -maxdepth 1 -type d)
"$unpacked/install.sh" --root "$scratch/root"
program="$scratch/root/opt/refurb-bench/refurb-bench"
mkdir -p "$scratch/home"
# What a fresh bench has: the system's PATH, a home folder and a UTF-8 locale, nothing else.
clean() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$scratch/home" LANG=C.UTF-8 "$@"; }
cd "$scratch"
clean "$program" --version
clean "$program" self-check
