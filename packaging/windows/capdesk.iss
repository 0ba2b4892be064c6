; Inno Setup 6 (6.3 or newer) installer for capdesk on Windows.
; Build the bundle first (packaging\build.ps1 does both), or by hand:
;   iscc /DAppVersion=0.1.0 packaging\windows\capdesk.iss
; Paths are relative to this file. Result: dist\capdesk-<version>-windows-x64-setup.exe
;
; Installs per user by default (no administrator rights; %LOCALAPPDATA%\Programs\capdesk),
; or for all users when the user picks that in the first dialog.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\capdesk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; Keep AppId unchanged across releases: upgrades and the uninstaller rely on it.
AppId={{66324BA1-B6BE-42AE-A4BA-85FE92D4DDB8}
AppName=capdesk
AppVersion={#AppVersion}
AppVerName=capdesk {#AppVersion}
AppPublisher=capdesk
AppComments=Record your screen and share it through Cap
DefaultDirName={autopf}\capdesk
DefaultGroupName=capdesk
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=capdesk-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\capdesk.ico
UninstallDisplayIcon={app}\capdesk.exe
UninstallDisplayName=capdesk
LicenseFile=..\..\resources\licenses\GPL-3.0.txt
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running capdesk (Restart Manager) before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale library from an older version stays.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The Start menu entry (Programs folder of this user, or of all users).
Name: "{autoprograms}\capdesk"; Filename: "{app}\capdesk.exe"; WorkingDir: "{app}"; Comment: "Record your screen and share it through Cap"
Name: "{autodesktop}\capdesk"; Filename: "{app}\capdesk.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\capdesk.exe"; Description: "{cm:LaunchProgram,capdesk}"; Flags: nowait postinstall skipifsilent

[Code]
// "Start at login" is a value the app writes under HKCU\...\Run; remove it with the app.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', 'capdesk');
end;
