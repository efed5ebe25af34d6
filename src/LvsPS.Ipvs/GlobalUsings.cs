// Namespaces nearly every file of the IPVS library uses.
global using LvsPS.Ipvs.Model;
global using System.Net;
global using LvsPS.Ipvs.Specs;
global using LvsPS.Ipvs.Vrrp;
global using LvsPS.Ipvs.Sync;
