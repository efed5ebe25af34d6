namespace LvsPS.Management.Remote;

/// <summary>What a real server holds for LVS-DR: the VIP on a non-ARP interface and the ARP-hiding sysctls.</summary>
public sealed class LvsRealServerHiddenState
{
    public string ComputerName { get; set; } = "";
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    /// <summary>Where the VIP lives (lo or dummy0).</summary>
    public string Interface { get; set; } = "lo";
    public bool VipPresent { get; set; }
    /// <summary>The prefix the VIP is configured with (32 expected), 0 when absent.</summary>
    public int VipPrefixLength { get; set; }
    public int ArpIgnoreAll { get; set; }
    public int ArpIgnoreInterface { get; set; }
    public int ArpAnnounceAll { get; set; }
    public int ArpAnnounceInterface { get; set; }
    /// <summary>True when the kernel has the old 2.2/2.4 'hidden' sysctl.</summary>
    public bool HiddenSupported { get; set; }
    public bool HiddenAll { get; set; }
    public bool HiddenInterface { get; set; }
    /// <summary>The VIP is held and will not be announced or answered for in ARP.</summary>
    public bool IsHidden { get; set; }
    /// <summary>Commands that were (or, with -WhatIf, would be) run.</summary>
    public string[] Commands { get; set; } = Array.Empty<string>();
    public bool Changed { get; set; }
}
