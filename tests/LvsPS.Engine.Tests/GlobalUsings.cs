global using LvsPS.Engine.Control;
global using LvsPS.Engine.DataPath;
global using LvsPS.Engine.Host;
global using LvsPS.Engine.Tables;
