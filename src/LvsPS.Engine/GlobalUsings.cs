// lvsd's rooms see each other; nothing here sees SSH, PowerShell or the management library.
global using LvsPS.Engine.Control;
global using LvsPS.Engine.DataPath;
global using LvsPS.Engine.Host;
global using LvsPS.Engine.IO;
global using LvsPS.Engine.Tables;
global using LvsPS.Engine.Health;
global using LvsPS.Engine.Vrrp;
global using LvsPS.Ipvs.Model;
global using LvsPS.Ipvs.Specs;
global using LvsPS.Ipvs.Director;
global using LvsPS.Ipvs.Scheduling;
global using LvsPS.Ipvs.Connections;
global using LvsPS.Ipvs.Vrrp;
global using LvsPS.Ipvs.Sync;
global using LvsPS.Engine.Sync;
