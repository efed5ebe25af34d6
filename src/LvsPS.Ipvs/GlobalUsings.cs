// Namespaces nearly every file of the IPVS library uses.
global using LvsPS.Ipvs.Model;
global using System.Net;
global using LvsPS.Ipvs.Specs;
