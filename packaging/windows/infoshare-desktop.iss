; Inno Setup 6 script: the Windows installer for InfoShare Desktop.
;
;   iscc /DAppVersion=0.2.0 packaging\windows\infoshare-desktop.iss
;
; packaging\windows\build.ps1 freezes the application first (PyInstaller, the same spec as
; Linux) into build\package\dist\infoshare-desktop\ and passes the version. The installer
; writes to Program Files (or, for a user without administrator rights, to their own
; programs folder) and a Start-menu entry. It never touches the data folder: each user's
; store lives in %APPDATA%\InfoShareDesktop, which the uninstaller leaves alone.
; NOT YET BUILT OR RUN: there is no Windows machine in this project's CI (see README).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (build.ps1 does)
#endif
#define AppName "InfoShare Desktop"
#define AppExe "infoshare-desktop.exe"
#define Root "..\.."

[Setup]
; The AppId identifies the installation for upgrades and uninstall: never change it.
AppId={{6F0C6B2E-3C1D-4F7E-9B6A-2D8E5A41C7B3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=InfoShare Desktop team
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\build\package
OutputBaseFilename=InfoShareDesktop-{#AppVersion}-setup
SetupIconFile=infoshare.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade closes a running copy first, so no file is in use.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole application folder (a file dropped by a newer release
; must not linger); the users' data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Root}\build\package\dist\infoshare-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section: uninstalling removes only the files installed above.
; %APPDATA%\InfoShareDesktop (the encrypted store, key store, backups and logs) stays.
