#!/bin/sh
# Installs the Refurb Bench package unpacked beside this script. Run as root from the unpacked folder:
#
#   sudo ./install.sh                # the bench: program, menu entry, icon, group, udev helper
#   sudo ./install.sh --hub          # also the hub's system user and systemd service (enabled, started)
#   ./install.sh --root /tmp/stage   # everything under another root (no users, groups or services touched)
#
# The program goes to /opt/refurb-bench (the previous version is replaced whole), the command to
# /usr/local/bin/refurb-bench. Nothing here needs Python on the machine.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=""
hub=no
while [ $# -gt 0 ]; do
    case $1 in
        --root) root=$2; shift 2 ;;
        --hub) hub=yes; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
    echo "install.sh: run it as root (sudo ./install.sh), or give --root DIR to stage the files" >&2
    exit 2
fi
[ -x "$here/refurb-bench/refurb-bench" ] || { echo "install.sh: $here/refurb-bench/refurb-bench is missing: unpack the whole archive" >&2; exit 2; }

opt="$root/opt/refurb-bench"
mkdir -p "$root/opt" "$root/usr/local/bin" "$root/usr/local/sbin" "$root/usr/share/applications" \
    "$root/usr/share/icons/hicolor/scalable/apps"
# Copy beside, then swap: a bench is never left with half of one version and half of another.
rm -rf "$opt.new" "$opt.old"
cp -a "$here/refurb-bench" "$opt.new"
cp "$here/README.md" "$opt.new/README.md"
[ -e "$opt" ] && mv "$opt" "$opt.old"
mv "$opt.new" "$opt"
rm -rf "$opt.old"
ln -sf /opt/refurb-bench/refurb-bench "$root/usr/local/bin/refurb-bench"

# The menu entry names the program by its full path: a desktop session's PATH may lack /usr/local/bin.
sed 's#^Exec=refurb-bench#Exec=/opt/refurb-bench/refurb-bench#' "$here/share/refurb-bench.desktop" \
    > "$root/usr/share/applications/refurb-bench.desktop"
chmod 0644 "$root/usr/share/applications/refurb-bench.desktop"
install -m 0644 "$here/share/icons/refurb-bench.svg" "$root/usr/share/icons/hicolor/scalable/apps/refurb-bench.svg"
for png in "$here"/share/icons/hicolor/*/apps/refurb-bench.png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    mkdir -p "$root/usr/share/icons/hicolor/$size/apps"
    install -m 0644 "$png" "$root/usr/share/icons/hicolor/$size/apps/refurb-bench.png"
done
install -m 0755 "$here/udev/refurb-bench-bay-rules" "$root/usr/local/sbin/refurb-bench-bay-rules"
mkdir -p "$root/usr/share/doc/refurb-bench"
install -m 0644 "$here/udev/70-refurb-bench-bays.rules.example" "$root/usr/share/doc/refurb-bench/"

if [ "$hub" = yes ]; then
    mkdir -p "$root/usr/lib/sysusers.d" "$root/etc/systemd/system"
    install -m 0644 "$here/systemd/refurb-bench-hub.sysusers" "$root/usr/lib/sysusers.d/refurb-bench-hub.conf"
    install -m 0644 "$here/systemd/refurb-bench-hub.service" "$root/etc/systemd/system/refurb-bench-hub.service"
fi

if [ -z "$root" ]; then
    # The bench's operators join this group to reach the drives in the bays (see the udev rules).
    getent group refurb-bench >/dev/null || groupadd --system refurb-bench
    command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
    if [ "$hub" = yes ]; then
        systemd-sysusers /usr/lib/sysusers.d/refurb-bench-hub.conf
        systemctl daemon-reload
        systemctl enable --now refurb-bench-hub.service
    fi
fi
echo "installed $("$opt/refurb-bench" --version) in $opt"
echo "next: add the bench's operators to group refurb-bench, assign the bays, then write the udev rules:"
echo "  refurb-bench bays list | refurb-bench-bay-rules > /etc/udev/rules.d/70-refurb-bench-bays.rules"
