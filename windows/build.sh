#!/bin/sh
# Cross-compiles the Windows build on Linux (make windows):
#   dist/windows/shipdesk.exe                 GUI program, icon + version from FyneApp.toml
#   dist/windows/Shipdesk-Setup-VERSION.exe   NSIS installer
# Needs gcc-mingw-w64-x86-64 (cgo for Fyne's GLFW), nsis and ImageMagick.
# Usage: windows/build.sh [--exe-only]
set -eu
cd "$(dirname "$0")/.."

GO=${GO:-go}
OUT=dist/windows
WORK=build/windows
mkdir -p "$OUT" "$WORK"

# Name, version and build number from FyneApp.toml ([Details]).
toml() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -n1; }
VERSION=$(toml Version)
BUILD=$(toml Build)
NAME=$(toml Name)
ICON_PNG=$(toml Icon)
case "$VERSION" in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "windows: FyneApp.toml Version \"$VERSION\" is not x.y.z" >&2; exit 1 ;;
esac
: "${BUILD:=0}"
V1=$(echo "$VERSION" | cut -d. -f1); V2=$(echo "$VERSION" | cut -d. -f2); V3=$(echo "$VERSION" | cut -d. -f3)

# The icon in the sizes Explorer and the taskbar ask for.
convert "$ICON_PNG" -background none -define icon:auto-resize=256,128,64,48,32,16 "$WORK/shipdesk.ico"

# A manifest: run as the invoking user (no UAC prompt), per-monitor DPI
# awareness so Fyne's own scaling is not blurred, modern common controls.
cat > "$WORK/shipdesk.manifest" <<EOF
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="cn.shipdesk.app" version="$V1.$V2.$V3.$BUILD" processorArchitecture="amd64"/>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3"><security><requestedPrivileges>
    <requestedExecutionLevel level="asInvoker" uiAccess="false"/>
  </requestedPrivileges></security></trustInfo>
  <application xmlns="urn:schemas-microsoft-com:asm.v3"><windowsSettings>
    <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
    <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">permonitorv2,permonitor</dpiAwareness>
  </windowsSettings></application>
  <dependency><dependentAssembly>
    <assemblyIdentity type="win32" name="Microsoft.Windows.Common-Controls" version="6.0.0.0" processorArchitecture="*" publicKeyToken="6595b64144ccf1df" language="*"/>
  </dependentAssembly></dependency>
</assembly>
EOF

cat > "$WORK/shipdesk.rc" <<EOF
#pragma code_page(65001)
1 ICON "shipdesk.ico"
1 24 "shipdesk.manifest"
1 VERSIONINFO
FILEVERSION $V1,$V2,$V3,$BUILD
PRODUCTVERSION $V1,$V2,$V3,$BUILD
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "080404b0"
    BEGIN
      VALUE "CompanyName", "Shipdesk"
      VALUE "FileDescription", "$NAME"
      VALUE "FileVersion", "$VERSION.$BUILD"
      VALUE "InternalName", "shipdesk"
      VALUE "OriginalFilename", "shipdesk.exe"
      VALUE "ProductName", "$NAME"
      VALUE "ProductVersion", "$VERSION"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x0804, 1200
  END
END
EOF

# The .syso sits beside main.go only for this build: the Go tool links
# every *_windows_amd64.syso of the main package into the exe.
SYSO=zz_shipdesk_windows_amd64.syso
trap 'rm -f "$SYSO"' EXIT
(cd "$WORK" && x86_64-w64-mingw32-windres -c 65001 -O coff -i shipdesk.rc -o shipdesk.syso)
cp "$WORK/shipdesk.syso" "$SYSO"

# nousb: the Windows build prints through the spooler, serial and TCP; it
# needs no libusb (printer/winspool_usb_windows.go explains usb://).
# -H windowsgui: no console window from a shortcut (console_windows.go
# attaches to the parent's console for subcommands).
CGO_ENABLED=1 CC=${WINDOWS_CC:-x86_64-w64-mingw32-gcc} GOOS=windows GOARCH=amd64 \
	"$GO" build -tags nousb -ldflags "-H=windowsgui -s -w" -o "$OUT/shipdesk.exe" .
rm -f "$SYSO"
echo "windows: built $OUT/shipdesk.exe ($VERSION build $BUILD)"

[ "${1:-}" = "--exe-only" ] && exit 0

SETUP="$OUT/Shipdesk-Setup-$VERSION.exe"
makensis -V2 -DVERSION="$VERSION" -DEXE="$PWD/$OUT/shipdesk.exe" -DICON="$PWD/$WORK/shipdesk.ico" \
	-DOUTFILE="$PWD/$SETUP" windows/installer.nsi
echo "windows: built $SETUP"
