#!/usr/bin/env bash
# Install the Debian package on this machine, use it as a person would, and remove it.
#
#   packaging/linux/check-deb.sh DEB SCREENSHOT.png     (as root; CI runs it via make package-check)
#
# Validates the desktop entry and the AppStream metainfo; installs with dpkg -i; runs the
# installed /usr/bin/infoshare-desktop (--version, then the window under Xvfb up to the
# first-run dialog, saved as SCREENSHOT.png, then `init` and `verify` in a user's default
# data folder); purges the package and checks that its files are gone and that the user's
# data folder is still there and still opens. PYTHON (default .venv/bin/python, with
# PySide6) takes the screenshot.
set -euo pipefail
deb="$(realpath "$1")"
shot="$(realpath -m "$2")"
python="${PYTHON:-.venv/bin/python}"
id=uk.infoshare.InfoShareDesktop
name=infoshare-desktop
password="granite lantern orchard"   # fictional
work="$(mktemp -d)"
xvfb_pid="" app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "ok installed"; then
    dpkg --purge "$name" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-deb: $*" >&2; exit 1; }
step() { echo "check-deb: $*"; }

step "validating the desktop entry and the metainfo"
desktop-file-validate "packaging/$id.desktop"
appstreamcli validate --no-net "packaging/$id.metainfo.xml"

step "dpkg -i $(basename "$deb")"
dpkg -i "$deb" >/dev/null
for f in "/opt/$name/$name" "/usr/bin/$name" "/usr/share/applications/$id.desktop" \
         "/usr/share/icons/hicolor/scalable/apps/$id.svg" "/usr/share/metainfo/$id.metainfo.xml"; do
  [ -e "$f" ] || fail "$f was not installed"
done
desktop-file-validate "/usr/share/applications/$id.desktop"
version="$(dpkg-query -W -f='${Version}' "$name")"
[ "$(env -i PATH=/usr/bin:/bin "$name" --version)" = "$name $version" ] \
  || fail "/usr/bin/$name --version does not say $version"

# A user with a home of their own and the default data folder.
export HOME="$work/home" XDG_DATA_HOME="" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
data="$HOME/.local/share/InfoShareDesktop"

step "starting the installed application under Xvfb"
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || fail "Xvfb did not start"
export DISPLAY=":$(cat "$work/display")"
QT_QPA_PLATFORM=xcb "/usr/bin/$name" >"$work/app.log" 2>&1 &
app_pid=$!
timeout 90 xdotool search --sync --onlyvisible --name "Set up InfoShare Desktop" >/dev/null \
  || { cat "$work/app.log" >&2; fail "the first-run dialog did not appear"; }
sleep 2  # let it paint
mkdir -p "$(dirname "$shot")"
QT_QPA_PLATFORM=xcb "$python" - "$shot" <<'PY'
import sys

from PySide6.QtGui import QGuiApplication

app = QGuiApplication([])
image = QGuiApplication.primaryScreen().grabWindow(0).toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
if len(colours) < 8:
    sys.exit("check-deb: the screenshot is blank")
image.save(sys.argv[1])
PY
step "screenshot: $shot"
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=""
grep -q Traceback "$work/app.log" && { cat "$work/app.log" >&2; fail "the application raised"; }

step "creating a store in the user's default data folder with the installed application"
echo "$password" | "$name" init --user admin.one --password-stdin >/dev/null
[ -f "$data/infoshare.db" ] && [ -f "$data/keystore.json" ] || fail "no store in $data"
echo "$password" | "$name" verify --user admin.one --password-stdin >/dev/null

# A full verify of a store this big checks its signatures in a helper process, which the
# frozen program starts from its own executable (packaging/launch.py: freeze_support). If
# the helper could not start, verify would still pass (checking in process) but log it.
step "a full verify of a 6,000-record demo store with the installed application"
demo="$work/demo"
"$name" demo --data-dir "$demo" --cases 30 --records 6000 >/dev/null
echo "demo store passphrase" | "$name" verify --full --data-dir "$demo" --user demo.practitioner \
  --password-stdin >"$work/verify.txt" || { cat "$work/verify.txt" >&2; fail "verify failed"; }
grep -Eq "all [0-9]+ checked" "$work/verify.txt" || { cat "$work/verify.txt" >&2; fail "not all checked"; }
if grep -q "signature helper" "$demo/logs/infoshare.log"; then
  cat "$demo/logs/infoshare.log" >&2; fail "the frozen program could not start its signature helper"
fi

step "dpkg --purge $name"
dpkg --purge "$name" >/dev/null
for f in "/opt/$name" "/usr/bin/$name" "/usr/share/applications/$id.desktop" \
         "/usr/share/icons/hicolor/scalable/apps/$id.svg" "/usr/share/metainfo/$id.metainfo.xml"; do
  [ ! -e "$f" ] || fail "$f is still there after purging"
done
[ -f "$data/infoshare.db" ] && [ -f "$data/keystore.json" ] || fail "purging removed $data"
echo "$password" | "$python" -m infoshare_desktop verify --user admin.one --password-stdin >/dev/null \
  || fail "the data folder left after purging does not open"
step "ok: installed, started, screenshot taken, purged; the user's data folder survived and opens"
