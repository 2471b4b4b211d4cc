#!/usr/bin/env bash
# Debian packages the application and its tests need: Qt's runtime libraries, a font,
# Xvfb for real-window screenshots, qpdf and poppler-utils for checking printed PDFs;
# binutils (PyInstaller strips the frozen libraries), desktop-file-utils, appstream and
# xdotool for building and checking the Debian package (make package, make package-check).
# Installs only what is missing, and only when it can (root with apt-get).
set -euo pipefail
pkgs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
      libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0
      fonts-dejavu-core xvfb qpdf poppler-utils
      binutils desktop-file-utils appstream xdotool)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Please install these Debian packages first: ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
