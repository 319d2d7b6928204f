#!/bin/sh
# `make package`: the self-contained Linux x86_64 build of Refurb Bench, as a .tar.gz with install.sh.
#
#   packaging/build-package.sh PYTHON OUT_DIR
#
# PYTHON is the project's venv Python with the `package` extra (PyInstaller) installed. Writes
# OUT_DIR/refurb-bench-VERSION-linux-x86_64.tar.gz and leaves the unpacked tree beside it; the
# PyInstaller work folder is build/pyinstaller (kept: a second build reuses its analysis cache).
set -eu

python=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ "$(uname -m)" = x86_64 ] || { echo "build-package: this recipe builds for x86_64 only (this is $(uname -m))" >&2; exit 2; }
"$python" -c "import PyInstaller" 2>/dev/null || {
    echo "build-package: PyInstaller is missing — install the package extra: $python -m pip install -e '.[package]'" >&2
    exit 2
}
version=$("$python" -c "import app; print(app.__version__)")
name="refurb-bench-$version-linux-x86_64"
stage="$out/$name"
started=$(date +%s)

"$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$out/pyinstaller" \
    --workpath "$repo/build/pyinstaller" packaging/pyinstaller/refurb-bench.spec

rm -rf "$stage"
mkdir -p "$stage/share/icons" "$stage/udev" "$stage/systemd"
mv "$out/pyinstaller/refurb-bench" "$stage/refurb-bench"
rmdir "$out/pyinstaller"
cp packaging/install.sh README.md "$stage/"
cp packaging/refurb-bench.desktop "$stage/share/"
cp resources/icons/refurb-bench.svg "$stage/share/icons/"
"$python" packaging/render_icons.py resources/icons/refurb-bench.svg "$stage/share/icons/hicolor"
cp packaging/udev/refurb-bench-bay-rules packaging/udev/70-refurb-bench-bays.rules.example "$stage/udev/"
cp packaging/systemd/refurb-bench-hub.service packaging/systemd/refurb-bench-hub.sysusers "$stage/systemd/"

tar -C "$out" -czf "$out/$name.tar.gz" "$name"
size=$(du -m "$out/$name.tar.gz" | cut -f1)
unpacked=$(du -sm "$stage" | cut -f1)
echo "built $out/$name.tar.gz: ${size} MB (${unpacked} MB unpacked) in $(( $(date +%s) - started )) s"
