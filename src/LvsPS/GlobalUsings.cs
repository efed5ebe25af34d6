// The namespaces nearly every cmdlet file uses: PowerShell, IPAddress, the IPVS model and specs, the director interface.
global using System.Management.Automation;
global using System.Net;
global using LvsPS.Ipvs.Director;
global using LvsPS.Ipvs.Model;
global using LvsPS.Ipvs.Specs;
global using LvsPS.Management.Lab;
global using LvsPS.Management.Lvsd;
global using LvsPS.Management.Remote;
global using LvsPS.Management.Kernel;
global using LvsPS.Ipvs.Vrrp;
global using LvsPS.Ipvs.Sync;
global using LvsPS.Management.Util;
