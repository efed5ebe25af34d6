// Namespaces nearly every file of the management library uses.
global using LvsPS.Ipvs.Model;
global using System.Net;
global using System.Globalization;
global using System.Text;
global using LvsPS.Ipvs.Specs;
global using LvsPS.Ipvs.Vrrp;
global using LvsPS.Ipvs.Sync;
