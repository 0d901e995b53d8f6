#!/bin/sh
# go test -exec windows/wine-exec.sh: runs a Windows test binary under Wine,
# in the private prefix windows/test-windows.sh prepared (WINEPREFIX).
: "${WINEPREFIX:?run through windows/test-windows.sh (make test-windows)}"
# Tests that meet a Wine quirk (not a Windows one) read this.
export SHIPDESK_TEST_WINE=1
export WINEDEBUG="${WINEDEBUG:--all}"
exec wine "$@"
