#!/usr/bin/env bash
# Build the Debian package from the frozen application folder (packaging/freeze.py).
#
#   packaging/linux/build-deb.sh APP_FOLDER OUT_DIR     -> OUT_DIR/infoshare-desktop_VERSION_ARCH.deb
#
# It installs the folder under /opt/infoshare-desktop, a launcher as /usr/bin/infoshare-desktop,
# the desktop entry, the icon in the hicolor theme and the AppStream metainfo. There are no
# maintainer scripts: Debian's triggers refresh the menu and icon caches, and removing or
# purging the package removes only the files it installed, never a user's data folder
# (~/.local/share/InfoShareDesktop, or wherever --data-dir points).
set -euo pipefail
app="$(realpath "$1")"
out="$(realpath -m "$2")"
here="$(cd "$(dirname "$0")/.." && pwd)"   # packaging/
id=uk.infoshare.InfoShareDesktop
name=infoshare-desktop

version="$("$app/$name" --version | awk '{print $2}')"   # also proves the folder starts
arch="$(dpkg --print-architecture)"
root="$out/deb-root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/metainfo" \
  "$root/usr/share/doc/$name"

cp -a "$app" "$root/opt/$name"
cat > "$root/usr/bin/$name" <<SH
#!/bin/sh
exec /opt/$name/$name "\$@"
SH
chmod 0755 "$root/usr/bin/$name"
install -m 0644 "$here/$id.desktop" "$root/usr/share/applications/$id.desktop"
install -m 0644 "$here/$id.metainfo.xml" "$root/usr/share/metainfo/$id.metainfo.xml"
install -m 0644 "$here/../resources/icons/infoshare.svg" \
  "$root/usr/share/icons/hicolor/scalable/apps/$id.svg"
cat > "$root/usr/share/doc/$name/copyright" <<TXT
InfoShare Desktop $version: proprietary; see the licence agreement with your organisation.

The bundled font DejaVu Sans (/opt/$name/_internal/infoshare_desktop/resources/fonts/) is
under the licence in DejaVu-LICENSE.txt beside it. Qt and PySide6 are under the LGPL 3;
the other bundled Python packages are under their own licences, in their dist-info folders.
TXT

# Libraries the frozen folder takes from the system (PyInstaller leaves out the graphics
# stack and the X and font libraries on purpose), and at least the C library it was built
# against (Debian 12's 2.36 when built on Debian 12).
libc="$(dpkg-query -W -f='${Version}' libc6 | cut -d- -f1)"
depends="libc6 (>= $libc), libegl1, libgl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0,
 libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0,
 libxcb-render-util0, libxcb-shape0, libxcb-randr0, libx11-xcb1"
cat > "$root/DEBIAN/control" <<CTL
Package: $name
Version: $version
Architecture: $arch
Section: misc
Priority: optional
Maintainer: The InfoShare Desktop team <infoshare-desktop@users.noreply.example.org>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $(echo $depends)
Description: Record information-sharing decisions in children's safeguarding
 Social workers, teachers, health visitors and police officers record every
 decision to share information about a child with another agency, or not to
 share it, with the reasons, at the time, in an encrypted local store that
 each member of staff opens with their own password.
CTL

rm -f "$out/${name}"_*.deb
deb="$out/${name}_${version}_${arch}.deb"
# zstd -9: 79 MB in seconds; xz -6 saves 13 MB but takes over two minutes on two cores.
dpkg-deb --root-owner-group -Zzstd -z9 --threads-max=2 --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
