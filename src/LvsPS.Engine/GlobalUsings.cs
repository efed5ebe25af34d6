// lvsd's rooms see each other; nothing here sees SSH, PowerShell or the management library.
global using LvsPS.Engine.Control;
global using LvsPS.Engine.DataPath;
global using LvsPS.Engine.Host;
global using LvsPS.Engine.IO;
global using LvsPS.Engine.Tables;
global using LvsPS.Engine.Health;
