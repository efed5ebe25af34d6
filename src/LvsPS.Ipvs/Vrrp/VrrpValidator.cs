namespace LvsPS.Ipvs.Vrrp;

/// <summary>
/// The rules of a VRRP instance, as keepalived's parser and RFC 5798/3768 set them, with one ErrorId
/// (InvalidVrrpInstance) and a message naming the instance, the keyword and the bad value. Like
/// <see cref="SpecValidator"/>: the cmdlets call it to refuse early, lvsd before it changes anything.
/// </summary>
public static class VrrpValidator
{
    public const int MaxNameLength = 64;
    public const int MaxAddresses = 255;

    public static void Instance(VrrpInstanceSpec? spec)
    {
        if (spec is null) throw Bad("(none)", "no VRRP instance was given", null);
        string n = string.IsNullOrEmpty(spec.Name) ? "(no name)" : spec.Name;
        Name(spec.Name);
        InterfaceName.Validate(spec.Interface, $"VRRP instance '{n}'");
        if (spec.VirtualRouterId is < 1 or > 255)
            throw Bad(n, $"virtual_router_id {spec.VirtualRouterId} is out of range; use 1..255", spec.VirtualRouterId);
        if (spec.Priority is < 1 or > 255)
            throw Bad(n, $"priority {spec.Priority} is out of range; use 1..255 (255 = the address owner; 0 is sent only by a master that stops)", spec.Priority);
        if (spec.Version is not (2 or 3))
            throw Bad(n, $"version {spec.Version} is not a VRRP version; use 2 (RFC 3768) or 3 (RFC 5798)", spec.Version);
        if (spec.Version == 3 && spec.AdvertIntervalCentiseconds is < 1 or > 4095)
            throw Bad(n, $"advert_int {spec.AdvertIntervalCentiseconds / 100.0:0.##} s ({spec.AdvertIntervalCentiseconds} cs) is out of range for VRRPv3; use 0.01..40.95 s", spec.AdvertIntervalCentiseconds);
        if (spec.Version == 2 && (spec.AdvertIntervalCentiseconds is < 100 or > 25500 || spec.AdvertIntervalCentiseconds % 100 != 0))
            throw Bad(n, $"advert_int {spec.AdvertIntervalCentiseconds / 100.0:0.##} s ({spec.AdvertIntervalCentiseconds} cs) is not valid for VRRPv2, which carries whole seconds; use 1..255 s", spec.AdvertIntervalCentiseconds);
        if (double.IsNaN(spec.PreemptDelaySeconds) || spec.PreemptDelaySeconds is < 0 or > 1000)
            throw Bad(n, $"preempt_delay {spec.PreemptDelaySeconds} s is out of range; use 0..1000", spec.PreemptDelaySeconds);
        if (spec.InitialState is not (VrrpState.Backup or VrrpState.Master))
            throw Bad(n, $"state {spec.InitialState} cannot be the initial state; use Backup or Master", spec.InitialState);
        if (!spec.Preempt && spec.InitialState == VrrpState.Master)
            throw Bad(n, "nopreempt works only with the initial state Backup (keepalived clears nopreempt for state MASTER); start it as Backup", spec.InitialState);
        if (spec.VirtualAddresses is null || spec.VirtualAddresses.Count == 0)
            throw Bad(n, "it has no virtual_ipaddress; give at least one VIP", null);
        if (spec.VirtualAddresses.Count > MaxAddresses)
            throw Bad(n, $"it has {spec.VirtualAddresses.Count} VIPs; an advert carries at most {MaxAddresses}", spec.VirtualAddresses.Count);
        Addresses(n, "virtual_ipaddress", spec.VirtualAddresses);
        Addresses(n, "unicast_peer", spec.UnicastPeers ?? throw Bad(n, "unicast_peer is null; use an empty list", null));
        if (spec.SourceAddress is { } src) Unicast(n, "unicast_src_ip", src);
        if (spec.UnicastPeers.Any(p => spec.VirtualAddresses.Contains(p)))
            throw Bad(n, $"the unicast_peer {spec.UnicastPeers.First(p => spec.VirtualAddresses.Contains(p))} is one of its VIPs", null);
        if (spec.AuthType == VrrpAuthType.Pass)
        {
            if (spec.Version != 2)
                throw Bad(n, "authentication (auth_type PASS) exists only in VRRPv2; use version 2 or no authentication", spec.AuthType);
            if (string.IsNullOrEmpty(spec.AuthPassword))
                throw Bad(n, "auth_type PASS needs an auth_pass of 1..8 characters", null);
            // The password is never echoed (messages reach logs and transcripts): its length is the target.
            if (spec.AuthPassword.Length > 8)
                throw Bad(n, $"the auth_pass has {spec.AuthPassword.Length} characters; VRRPv2 carries 1..8 (keepalived would cut it to 8)", spec.AuthPassword.Length);
            if (spec.AuthPassword.Any(c => c < 0x21 || c > 0x7e))
                throw Bad(n, "the auth_pass holds a character that is not printable ASCII (space, control or non-ASCII)", "auth_pass");
        }
        else if (spec.AuthType != VrrpAuthType.None)
            throw Bad(n, $"auth_type {spec.AuthType} is not supported; use None or Pass", spec.AuthType);
        else if (!string.IsNullOrEmpty(spec.AuthPassword))
            throw Bad(n, "an auth_pass was given without auth_type PASS", null);
        if (spec.GarpMasterDelaySeconds is < 0 or > 3600)
            throw Bad(n, $"garp_master_delay {spec.GarpMasterDelaySeconds} s is out of range; use 0..3600 (0 = no second burst)", spec.GarpMasterDelaySeconds);
        if (spec.GarpMasterRepeat is < 1 or > 100)
            throw Bad(n, $"garp_master_repeat {spec.GarpMasterRepeat} is out of range; use 1..100", spec.GarpMasterRepeat);
        foreach (var (keyword, command) in new[] { ("notify_master", spec.NotifyMaster), ("notify_backup", spec.NotifyBackup), ("notify_fault", spec.NotifyFault), ("notify", spec.Notify) })
            if (command is not null) CommandWords(n, keyword, command);
    }

    /// <summary>vrrp_instance NAME: 1..64 of letters, digits, '_', '-', '.'.</summary>
    public static void Name(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw Bad(string.IsNullOrEmpty(name) ? "(no name)" : name,
                $"the name '{name}' is not 1..{MaxNameLength} letters, digits, '_', '-' or '.'", name);
    }

    /// <summary>
    /// A notify command as argument words: split at spaces, "double" or 'single' quotes group words; no shell ever
    /// reads it. The program must be an absolute path.
    /// </summary>
    public static string[] CommandWords(string instance, string keyword, string command)
    {
        var words = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (char c in command)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0'; else cur.Append(c);
                continue;
            }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                continue;
            }
            if (char.IsControl(c)) throw Bad(instance, $"the {keyword} command '{command}' holds a control character", command);
            cur.Append(c);
            inWord = true;
        }
        if (quote != '\0') throw Bad(instance, $"the {keyword} command '{command}' has an unclosed {quote} quote", command);
        if (inWord) words.Add(cur.ToString());
        if (words.Count == 0) throw Bad(instance, $"the {keyword} command is empty; leave it out instead", command);
        if (!words[0].StartsWith('/'))
            throw Bad(instance, $"the {keyword} program '{words[0]}' is not an absolute path (no shell or PATH search runs it)", command);
        return words.ToArray();
    }

    private static void Addresses(string n, string keyword, List<IPAddress> list)
    {
        var seen = new HashSet<IPAddress>();
        foreach (var a in list)
        {
            Unicast(n, keyword, a);
            if (!seen.Add(a)) throw Bad(n, $"{keyword} {a} is listed twice", a);
        }
    }

    private static void Unicast(string n, string keyword, IPAddress? a)
    {
        if (a is null || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw Bad(n, $"{keyword} '{a}' is not an IPv4 address (lvsd speaks VRRP over IPv4)", a);
        var b = a.GetAddressBytes();
        if (b.All(x => x == 0) || b.All(x => x == 255) || b[0] == 127 || b[0] >= 224)
            throw Bad(n, $"{keyword} {a} is not a unicast address", a);
    }

    private static LvsException Bad(string instance, string problem, object? target) =>
        new(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument, $"The VRRP instance '{instance}' cannot be used: {problem}.", target);
}
