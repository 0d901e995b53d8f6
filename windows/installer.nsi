; Shipdesk (发货台) installer for Windows, built on Linux with NSIS by
; `make windows`:
;   makensis -DVERSION=0.1.0 -DEXE=dist/windows/shipdesk.exe \
;            -DICON=build/windows/shipdesk.ico -DOUTFILE=dist/windows/Shipdesk-Setup-0.1.0.exe windows/installer.nsi
; Installs into Program Files for all users, adds Start-menu and desktop
; shortcuts and an uninstaller. The uninstaller keeps the data folder
; (%AppData%\shipdesk: database, labels, settings, credentials) unless the
; person ticks "also delete data".

; A 64-bit installer for the 64-bit program (it also runs under a 64-bit-only Wine).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef EXE
  !error "pass -DEXE=path/to/shipdesk.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "Shipdesk-Setup-${VERSION}.exe"
!endif

!define APPNAME "Shipdesk 发货台"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Shipdesk"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Shipdesk"
InstallDirRegKey HKLM "${UNINSTKEY}" "InstallLocation"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=0 "FileDescription" "${APPNAME} installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Shipdesk"

!include "MUI2.nsh"
!include "x64.nsh"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\shipdesk.exe"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString DataSection ${LANG_SIMPCHINESE} "同时删除数据（订单、面单、设置和账号）"
LangString DataSection ${LANG_ENGLISH} "Also delete data (orders, labels, settings, accounts)"
LangString ProgSection ${LANG_SIMPCHINESE} "发货台程序"
LangString ProgSection ${LANG_ENGLISH} "Shipdesk program"
LangString Only64 ${LANG_SIMPCHINESE} "发货台需要 64 位 Windows。"
LangString Only64 ${LANG_ENGLISH} "Shipdesk needs 64-bit Windows."

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(Only64)"
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Shipdesk" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "/oname=shipdesk.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\shipdesk.exe"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\Uninstall ${APPNAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\shipdesk.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "Shipdesk"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\shipdesk.exe"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "un.$(ProgSection)" UnSecMain
  SectionIn RO
  SetShellVarContext all
  Delete "$DESKTOP\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk"
  Delete "$SMPROGRAMS\${APPNAME}\Uninstall ${APPNAME}.lnk"
  RMDir "$SMPROGRAMS\${APPNAME}"
  Delete "$INSTDIR\shipdesk.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
SectionEnd

; Not ticked unless the person ticks it: the data folder is the clinic's
; record of every parcel.
Section /o "un.$(DataSection)" UnSecData
  SetShellVarContext current
  RMDir /r "$APPDATA\shipdesk"
SectionEnd
