namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// Four ipvsadm texts as Linux 6.1 IPVS with ipvsadm 1.31 printed them (Debian cloud kernel in the QEMU guest):
/// a persistent port-0 service, generic scheduler flags on any scheduler, firewall marks above 2^31-1 (signed in -L
/// and -S) and -S without thresholds. Each is read by LvsPS's parsers and written back byte for byte.
/// </summary>
public sealed class IpvsadmKernelFactsTests
{
    private const string Header = "IP Virtual Server version 1.2.1 (size=4096)\n";

    // ipvsadm -A -t 10.241.0.1:0 -s rr -p 360; -a ... -r 10.241.0.3 -g -w 1; -r 10.241.0.4:0 -m -w 2;
    // -r 10.241.0.5:80 -m -w 2; -r 10.241.0.6:80 -g -w 2 (listed :0); ipvsadm -A -u 10.241.0.2:0 -s rr -p 60.
    private const string PortZeroList = Header +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
        "TCP  10.241.0.1:0 rr persistent 360\n" +
        "  -> 10.241.0.3:0                 Route   1      0          0         \n" +
        "  -> 10.241.0.4:0                 Masq    2      0          0         \n" +
        "  -> 10.241.0.5:80                Masq    2      0          0         \n" +
        "  -> 10.241.0.6:0                 Route   2      0          0         \n" +
        "UDP  10.241.0.2:0 rr persistent 60\n";

    private const string PortZeroSave =
        "-A -t 10.241.0.1:0 -s rr -p 360\n" +
        "-a -t 10.241.0.1:0 -r 10.241.0.3:0 -g -w 1\n" +
        "-a -t 10.241.0.1:0 -r 10.241.0.4:0 -m -w 2\n" +
        "-a -t 10.241.0.1:0 -r 10.241.0.5:80 -m -w 2\n" +
        "-a -t 10.241.0.1:0 -r 10.241.0.6:0 -g -w 2\n" +
        "-A -u 10.241.0.2:0 -s rr -p 60\n";

    // -s rr -b flag-1; -s wlc -b flag-2,flag-3; -s sh -b flag-1; -s mh -b flag-2,flag-3 (listed "mh-port");
    // -s sh -b flag-1,flag-2,flag-3 (listed "sh-fallback,sh-port"); -s rr -b flag-1,flag-2,flag-3 -p 10;
    // 10.241.0.20 with -x 10 -y 5 and -x 10 real servers (no thresholds in -S).
    /// <summary>The service lines, the same in -L -n and -L -n --thresholds.</summary>
    private const string FlagServices =
        "TCP  10.241.0.11:80 rr (flag-1)\n" +
        "TCP  10.241.0.12:80 wlc (flag-2,flag-3)\n" +
        "TCP  10.241.0.13:80 sh (sh-fallback)\n" +
        "TCP  10.241.0.14:80 mh (mh-port)\n" +
        "TCP  10.241.0.18:80 sh (sh-fallback,sh-port)\n" +
        "TCP  10.241.0.19:80 rr (flag-1,flag-2,flag-3) persistent 10\n" +
        "TCP  10.241.0.20:80 rr\n";

    private const string FlagsList = Header +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
        FlagServices +
        "  -> 10.241.0.3:80                Route   1      0          0         \n" +
        "  -> 10.241.0.4:80                Route   1      0          0         \n";

    private const string FlagsThresholds = Header +
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
        "  -> RemoteAddress:Port\n" +
        FlagServices +
        "  -> 10.241.0.3:80                10         5          0          0         \n" +
        "  -> 10.241.0.4:80                10         0          0          0         \n";

    private const string FlagsSave =
        "-A -t 10.241.0.11:80 -s rr -b flag-1\n" +
        "-A -t 10.241.0.12:80 -s wlc -b flag-2,flag-3\n" +
        "-A -t 10.241.0.13:80 -s sh -b sh-fallback\n" +
        "-A -t 10.241.0.14:80 -s mh -b mh-port\n" +
        "-A -t 10.241.0.18:80 -s sh -b sh-fallback,sh-port\n" +
        "-A -t 10.241.0.19:80 -s rr -p 10 -b flag-1,flag-2,flag-3\n" +
        "-A -t 10.241.0.20:80 -s rr\n" +
        "-a -t 10.241.0.20:80 -r 10.241.0.3:80 -g -w 1\n" +
        "-a -t 10.241.0.20:80 -r 10.241.0.4:80 -g -w 1\n";

    // ipvsadm -A -f 4294967295 -s wlc; -A -f 2147483648 -s rr -p 60; -A -f 2147483647 -s rr;
    // -a -f 4294967295 -r 10.241.0.3 -g -w 1 -x 100 -y 50.
    private const string MarksList = Header +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
        "FWM  2147483647 rr\n" +
        "FWM  -2147483648 rr persistent 60\n" +
        "FWM  -1 wlc\n" +
        "  -> 10.241.0.3:0                 Route   1      0          0         \n";

    private const string MarksSave =
        "-A -f 2147483647 -s rr\n" +
        "-A -f -2147483648 -s rr -p 60\n" +
        "-A -f -1 -s wlc\n" +
        "-a -f -1 -r 10.241.0.3:0 -g -w 1\n";

    private static List<LvsService> Listed(string list, string? thresholds = null) =>
        IpvsadmOutputParser.Merge(thresholds is null
            ? new[] { IpvsadmOutputParser.ParseListing(list) }
            : new[] { IpvsadmOutputParser.ParseListing(list), IpvsadmOutputParser.ParseListing(thresholds) });

    [Fact]
    public void APersistentPort0ServiceIsReadAndWrittenAsTheKernelListsIt()
    {
        var services = Listed(PortZeroList);
        var tcp = services.Single(s => s.Protocol == LvsProtocol.Tcp);
        Assert.Equal(((ushort)0, 360u), (tcp.Port, tcp.PersistentTimeout));
        Assert.Equal(new[] { ("10.241.0.3", 0, LvsForwarding.Route), ("10.241.0.4", 0, LvsForwarding.Masq), ("10.241.0.5", 80, LvsForwarding.Masq), ("10.241.0.6", 0, LvsForwarding.Route) },
            tcp.RealServers.Select(r => (r.RealAddress.ToString(), (int)r.RealPort, r.Forwarding)).OrderBy(r => r.Item1));
        Assert.Equal(PortZeroList, IpvsadmFormatter.FormatList(services));
        Assert.Equal(PortZeroSave, IpvsadmFormatter.FormatSave(services));
    }

    [Fact]
    public void Port0RulesImportAndSaveBackByteForByte()
    {
        var rules = ParseRules(PortZeroSave);
        Assert.Empty(rules.Warnings);
        Assert.Equal(new ushort[] { 0, 0 }, rules.Services.Select(s => s.Port));
        Assert.Equal(PortZeroSave, IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
        // As a person writes them: no port on the service or a -g real server, a -g port that ipvsadm replaces by 0.
        var written = ParseRules("-A -t 10.241.0.1 -s rr -p 360\n-a -t 10.241.0.1 -r 10.241.0.3 -g\n-a -t 10.241.0.1:0 -r 10.241.0.6:80 -g -w 2\n");
        Assert.Equal(new[] { 0, 0 }, written.Services[0].RealServers.Select(r => (int)r.RealPort));
        Assert.Single(written.Warnings);
        Assert.Equal(
            "-A -t 10.241.0.1:0 -s rr -p 360\n-a -t 10.241.0.1:0 -r 10.241.0.3:0 -g -w 1\n-a -t 10.241.0.1:0 -r 10.241.0.6:0 -g -w 2\n",
            IpvsadmFormatter.FormatSave(written.ToLvsServices()));
    }

    [Fact]
    public void Port0CommandsAreTheOnesIpvsadmTook()
    {
        var spec = new ServiceSpec { Address = IPAddress.Parse("10.241.0.1"), Port = 0, Scheduler = LvsScheduler.Rr, PersistentTimeout = 360 };
        spec.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("10.241.0.5"), Port = 80, Forwarding = LvsForwarding.Masq, Weight = 2 });
        spec.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("10.241.0.3"), Port = 0, Forwarding = LvsForwarding.Route });
        Assert.Equal(new[]
        {
            "ipvsadm '-A' '-t' '10.241.0.1:0' '-s' 'rr' '-p' '360'",
            "ipvsadm '-a' '-t' '10.241.0.1:0' '-r' '10.241.0.3:0' '-g' '-w' '1'",
            "ipvsadm '-a' '-t' '10.241.0.1:0' '-r' '10.241.0.5:80' '-m' '-w' '2'",
        }, IpvsadmCommandBuilder.AddServiceWithRealServers(spec).Select(c => c.CommandLine));
        Assert.Equal("ipvsadm '-d' '-t' '10.241.0.1:0' '-r' '10.241.0.3:0'",
            IpvsadmCommandBuilder.DeleteRealServer(spec, new RealServerSpec { Address = IPAddress.Parse("10.241.0.3") }).CommandLine);
        Assert.Equal("ipvsadm '-D' '-t' '10.241.0.1:0'", IpvsadmCommandBuilder.DeleteService(spec).CommandLine);

        // "ipvsadm -A/-E -t VIP:0 -s rr" without -p: "Zero port specified for non-persistent service", exit 2.
        spec.PersistentTimeout = 0;
        Assert.Equal(LvsErrorIds.InvalidPort, Assert.Throws<LvsException>(() => IpvsadmCommandBuilder.EditService(spec)).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidPort, IpvsadmErrors.FromResult(
            new RemoteResult { Command = "ipvsadm -A", ExitStatus = 2, Error = "Zero port specified for non-persistent service\n" }, "k", "10.241.0.1").ErrorId);
    }

    [Fact]
    public void GenericFlagsOnAnySchedulerAreReadAndListedAsTheKernelDoes()
    {
        var services = Listed(FlagsList, FlagsThresholds);
        LvsSchedulerFlags F(string vip) => services.Single(s => s.VirtualAddress.ToString() == vip).SchedulerFlags;
        Assert.Equal(LvsSchedulerFlags.Fallback, F("10.241.0.11"));
        Assert.Equal(LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, F("10.241.0.12"));
        Assert.Equal(LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, F("10.241.0.19"));
        Assert.Equal(FlagsList, IpvsadmFormatter.FormatList(services));
        Assert.Equal(FlagsThresholds, IpvsadmFormatter.FormatThresholds(services));
        // ipvsadm -S leaves the thresholds out; LvsPS's default is the same text, -IncludeThresholds adds them.
        Assert.Equal(FlagsSave, IpvsadmFormatter.FormatSave(services));
        Assert.Equal(FlagsSave.Replace("10.241.0.3:80 -g -w 1\n", "10.241.0.3:80 -g -w 1 -x 10 -y 5\n")
                              .Replace("10.241.0.4:80 -g -w 1\n", "10.241.0.4:80 -g -w 1 -x 10\n"),
            IpvsadmFormatter.FormatSave(services, includeThresholds: true));

        var rules = ParseRules(FlagsSave);
        Assert.Equal(FlagsSave, IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
        Assert.Equal(LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, rules.Services[1].SchedulerFlags);
    }

    [Fact]
    public void TheFlagsOfShAndMhGoToIpvsadmWithFlag3()
    {
        // sh keeps flag-3 in the kernel, though ipvsadm does not list it there; the command sets it all the same.
        var sh = new ServiceSpec { Address = IPAddress.Parse("10.241.0.18"), Port = 80, Scheduler = LvsScheduler.Sh,
            SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3 };
        Assert.Equal("ipvsadm '-A' '-t' '10.241.0.18:80' '-s' 'sh' '-b' 'sh-fallback,sh-port,flag-3'", IpvsadmCommandBuilder.AddService(sh).CommandLine);
        var rr = new ServiceSpec { Address = IPAddress.Parse("10.241.0.11"), Port = 80, Scheduler = LvsScheduler.Rr, SchedulerFlags = LvsSchedulerFlags.Fallback };
        Assert.Equal("ipvsadm '-A' '-t' '10.241.0.11:80' '-s' 'rr' '-b' 'flag-1'", IpvsadmCommandBuilder.AddService(rr).CommandLine);
    }

    [Fact]
    public void MarksAbove2To31AreSignedInListAndSaveAndReadBack()
    {
        var services = Listed(MarksList);
        Assert.Equal(new[] { 2147483647u, 2147483648u, 4294967295u }, services.Select(s => s.FirewallMark).Order());
        Assert.Equal(MarksList, IpvsadmFormatter.FormatList(services));
        Assert.Equal(MarksSave, IpvsadmFormatter.FormatSave(services));
        Assert.Equal(MarksSave, ConfigurationWriter.WriteIpvsadmRules(services));

        var rules = ParseRules(MarksSave);
        Assert.Equal(new[] { 2147483647u, 2147483648u, 4294967295u }, rules.Services.Select(s => s.FirewallMark));
        Assert.Equal(MarksSave, IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
    }

    [Fact]
    public void ShWithFlag3Alone_IsListedWithEmptyParentheses_AndSavedWithAnEmptyB()
    {
        // ipvsadm -A -t 10.241.0.30:80 -s sh -b flag-3: "-L -n" shows "sh ()", "-S -n" writes "-b " (a trailing space).
        const string list = Header +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  10.241.0.30:80 sh ()\n" +
            "TCP  10.241.0.31:80 mh (mh-fallback)\n";
        const string save = "-A -t 10.241.0.30:80 -s sh -b \n-A -t 10.241.0.31:80 -s mh -b mh-fallback\n";
        var services = Listed(list);
        Assert.Equal(LvsSchedulerFlags.Flag3, services[0].SchedulerFlags);
        Assert.Equal(list, IpvsadmFormatter.FormatList(services));
        Assert.Equal(save, IpvsadmFormatter.FormatSave(services));
        var rules = ParseRules(save);
        Assert.Equal(LvsSchedulerFlags.Flag3, rules.Services[0].SchedulerFlags);
        Assert.Equal(save, IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
    }
}
