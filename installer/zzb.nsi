; 专治台账 — Windows installer for the PyInstaller one-folder bundle.
;
; Build on Windows, after `uv run pyinstaller build.spec --noconfirm` made dist\zhuanzhi-taizhang\:
;     makensis installer\zzb.nsi
; → dist\zhuanzhi-taizhang-setup-<version>.exe
; Options: /DBUNDLE_DIR=<folder> (default ..\dist\zhuanzhi-taizhang), /DVERSION=0.1.0,
;          /DOUTFILE=<setup.exe>.
;
; Installs for the current user only (no administrator rights) into
; %LOCALAPPDATA%\Programs\专治台账, with Start-menu and desktop shortcuts and an entry in
; “应用和功能”. The uninstaller removes the program files only: the ledger data
; (%LOCALAPPDATA%\zhuanzhi-taizhang, or a portable data\ folder) is never touched.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "FileFunc.nsh"

!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\dist\zhuanzhi-taizhang"
!endif
!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\zhuanzhi-taizhang-setup-${VERSION}.exe"
!endif

!define APP_NAME "专治台账"
!define APP_ID "zhuanzhi-taizhang"
!define PUBLISHER "市“危污乱散低”专项治理办公室"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define DATA_DIR "$LOCALAPPDATA\${APP_ID}"

; The shortcut starts the windowed executable when the bundle has one (build.spec makes it on
; Windows); zzb.exe is the command-line tool.
!if /FileExists "${BUNDLE_DIR}\${APP_NAME}.exe"
  !define LAUNCHER "${APP_NAME}.exe"
!else
  !define LAUNCHER "zzb.exe"
!endif
!if ! /FileExists "${BUNDLE_DIR}\zzb.exe"
  !error "没有找到 ${BUNDLE_DIR}\zzb.exe：请先在 Windows 上运行 uv run pyinstaller build.spec --noconfirm"
!endif

Name "${APP_NAME}"
Caption "${APP_NAME} ${VERSION} 安装"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "Software\${APP_ID}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "..\resources\icons\app.ico"
!define MUI_UNICON "..\resources\icons\app.ico"
!define MUI_ABORTWARNING
!define MUI_ABORTWARNING_TEXT "确定要退出${APP_NAME}安装程序吗？"

!define MUI_WELCOMEPAGE_TITLE "欢迎安装${APP_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "${APP_NAME}是“危污乱散低”专项治理工作的台账程序，在本机离线运行，无需联网。$\r$\n$\r$\n程序只为当前用户安装，不需要管理员权限。$\r$\n$\r$\n台账数据保存在：$\r$\n${DATA_DIR}$\r$\n升级或卸载程序都不会删除这些数据。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${LAUNCHER}"
!define MUI_FINISHPAGE_RUN_TEXT "立即运行${APP_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "将从本机删除${APP_NAME}的程序文件和快捷方式。$\r$\n台账数据（数据库、备份、附件）不会被删除，仍保存在 ${DATA_DIR}；重新安装后可继续使用。确需清除数据时，请先备份，再手动删除该文件夹。"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An older version's program files go first; data never lives in _internal.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${LAUNCHER}" "" "$INSTDIR\${LAUNCHER}" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\卸载${APP_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${LAUNCHER}" "" "$INSTDIR\${LAUNCHER}" 0

  WriteRegStr HKCU "Software\${APP_ID}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${LAUNCHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"

  DetailPrint "台账数据位置：${DATA_DIR}（首次启动时创建）"
SectionEnd

Section "Uninstall"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APP_NAME}"

  ; Only what the installer put there: a portable data\ folder beside the program survives.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\zzb.exe"
  Delete "$INSTDIR\${APP_NAME}.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\${APP_ID}"

  DetailPrint "程序已卸载。台账数据未删除，仍在：${DATA_DIR}"
  IfFileExists "$INSTDIR\data\*.*" 0 +2
    DetailPrint "便携模式的数据也未删除，仍在：$INSTDIR\data"
SectionEnd
