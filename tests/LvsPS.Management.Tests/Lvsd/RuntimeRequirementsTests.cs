namespace LvsPS.Management.Tests.Lvsd;

/// <summary>The import-time check of what lvsd needs (RuntimeRequirements) against machines made up in a fake probe.</summary>
public sealed class RuntimeRequirementsTests
{
    private const string Engine = "/opt/LvsPS/0.1.0/lvsd/lvsd.dll";
    private const string RuntimeConfig = "/opt/LvsPS/0.1.0/lvsd/lvsd.runtimeconfig.json";

    private sealed class FakeProbe : IRuntimeProbe
    {
        public string? Host = "/usr/bin/dotnet";
        public Dictionary<string, string> Links = new() { ["/usr/bin/dotnet"] = "/usr/share/dotnet/dotnet" };
        public Dictionary<string, string> Files = new()
        {
            [Engine] = "",
            [RuntimeConfig] = """{ "runtimeOptions": { "tfm": "net10.0", "framework": { "name": "Microsoft.NETCore.App", "version": "10.0.0" } } }""",
        };
        public Dictionary<string, string[]> Folders = new() { ["/usr/share/dotnet/shared/Microsoft.NETCore.App"] = new[] { "10.0.12" } };
        public HashSet<string> Libraries = new() { "libpcap.so.0.8" };
        public List<string> LibrariesTried = new();

        public string? FindDotnetHost() => Host;
        public string RealPath(string path) => Links.TryGetValue(path, out var target) ? target : path;
        public bool FileExists(string path) => Files.ContainsKey(path);
        public string? ReadAllText(string path) => Files.TryGetValue(path, out var text) ? text : null;
        public IEnumerable<string> DirectoryNames(string path) => Folders.TryGetValue(path, out var names) ? names : [];
        public bool CanLoadLibrary(string name) { LibrariesTried.Add(name); return Libraries.Contains(name); }
    }

    private static IReadOnlyList<MissingRequirement> Check(FakeProbe probe) => RuntimeRequirements.Check(Engine, probe);

    [Fact]
    public void AMachineWithEverything_MissesNothing()
    {
        Assert.Empty(Check(new FakeProbe()));
    }

    [Fact]
    public void NoLibpcap_IsOneWarningNamingTheLibrariesAndTheDebianPackage()
    {
        var probe = new FakeProbe { Libraries = new() };
        var m = Assert.Single(Check(probe));
        Assert.Equal("libpcap", m.Name);
        Assert.Contains("libpcap.so.0.8, libpcap.so.1, libpcap.so", m.Message);
        Assert.Contains("sudo apt-get install libpcap0.8", m.Message);
        Assert.Contains("The cmdlets for kernel directors over SSH and for configuration files work without it.", m.Message);
        Assert.StartsWith("LvsPS: ", m.Message);
        Assert.Equal(RuntimeRequirements.PcapLibraryNames, probe.LibrariesTried);
    }

    [Theory]
    [InlineData("libpcap.so.0.8")]
    [InlineData("libpcap.so.1")]
    [InlineData("libpcap.so")]
    public void AnyOfTheNamesLvsdTries_IsEnough(string library)
    {
        Assert.Empty(Check(new FakeProbe { Libraries = new() { library } }));
    }

    [Fact]
    public void OnlyAnOtherLibpcapName_DoesNotCount()
    {
        Assert.Equal("libpcap", Assert.Single(Check(new FakeProbe { Libraries = new() { "libpcap.so.2" } })).Name);
    }

    [Fact]
    public void NoDotnetHost_SaysSoAndHowToInstallTheRuntime()
    {
        var m = Assert.Single(Check(new FakeProbe { Host = null }));
        Assert.Equal("dotnet", m.Name);
        Assert.Contains("no dotnet host was found", m.Message);
        Assert.Contains("Microsoft.NETCore.App 10", m.Message);
        Assert.Contains("sudo apt-get install dotnet-runtime-10.0", m.Message);
    }

    [Fact]
    public void AHostWithOnlyAnOlderRuntime_NamesWhatItHas()
    {
        var probe = new FakeProbe();
        probe.Folders["/usr/share/dotnet/shared/Microsoft.NETCore.App"] = new[] { "8.0.11", "9.0.4" };
        var m = Assert.Single(Check(probe));
        Assert.Equal("dotnet-runtime", m.Name);
        Assert.Contains("Microsoft.NETCore.App 10.0", m.Message);
        Assert.Contains("the dotnet host /usr/bin/dotnet has 8.0.11, 9.0.4", m.Message);
        Assert.Contains("dotnet-runtime-10.0", m.Message);
    }

    [Fact]
    public void TheRuntimeIsLookedForBesideTheRealHost_NotBesideTheLink()
    {
        var probe = new FakeProbe();
        probe.Folders.Clear();
        probe.Folders["/usr/bin/shared/Microsoft.NETCore.App"] = new[] { "10.0.12" };
        Assert.Equal("dotnet-runtime", Assert.Single(Check(probe)).Name);
        probe.Links.Clear();
        Assert.Empty(Check(probe));
    }

    [Fact]
    public void AHostWithNoRuntimeAtAll_HasNone()
    {
        var probe = new FakeProbe();
        probe.Folders.Clear();
        Assert.Contains("has none.", Assert.Single(Check(probe)).Message);
    }

    [Fact]
    public void OnlyASharedFrameworkOtherThanTheOneLvsdNames_DoesNotCount()
    {
        var probe = new FakeProbe();
        probe.Folders.Clear();
        probe.Folders["/usr/share/dotnet/shared/Microsoft.AspNetCore.App"] = new[] { "10.0.12" };
        Assert.Equal("dotnet-runtime", Assert.Single(Check(probe)).Name);
    }

    [Fact]
    public void TheFrameworkComesFromLvsdsRuntimeConfig()
    {
        var probe = new FakeProbe();
        probe.Files[RuntimeConfig] = """{ "runtimeOptions": { "framework": { "name": "Microsoft.NETCore.App", "version": "11.0.0" } } }""";
        var m = Assert.Single(Check(probe));
        Assert.Contains("Microsoft.NETCore.App 11.0 (or a later 11.x)", m.Message);
        Assert.Contains("has 10.0.12", m.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    [InlineData("""{ "runtimeOptions": { "tfm": "net10.0" } }""")]
    [InlineData("""{ "runtimeOptions": { "framework": { "name": "Microsoft.NETCore.App", "version": "ten" } } }""")]
    public void AnUnreadableRuntimeConfig_FallsBackToNet10(string? text)
    {
        var probe = new FakeProbe();
        if (text is null) probe.Files.Remove(RuntimeConfig); else probe.Files[RuntimeConfig] = text;
        Assert.Equal(("Microsoft.NETCore.App", new Version(10, 0, 0)), RuntimeRequirements.RequiredFramework(RuntimeConfig, probe));
        Assert.Empty(Check(probe));
        probe.Folders["/usr/share/dotnet/shared/Microsoft.NETCore.App"] = new[] { "9.0.4" };
        Assert.Equal("dotnet-runtime", Assert.Single(Check(probe)).Name);
    }

    [Fact]
    public void NoLvsd_IsMissingToo_AndTheOtherChecksStillRun()
    {
        var probe = new FakeProbe { Libraries = new(), Host = null };
        probe.Files.Clear();
        var missing = Check(probe);
        Assert.Equal(new[] { "lvsd", "dotnet", "libpcap" }, missing.Select(m => m.Name));
        Assert.Contains(Engine, missing[0].Message);
        Assert.Contains("Install-PSResource LvsPS -Reinstall", missing[0].Message);
    }

    [Theory]
    [InlineData("10.0.12", "10.0.0", true)]
    [InlineData("10.0.0", "10.0.0", true)]
    [InlineData("10.2.1", "10.0.0", true)]
    [InlineData("10.0.1", "10.0.3", false)]
    [InlineData("9.0.4", "10.0.0", false)]
    [InlineData("11.0.0", "10.0.0", false)]
    public void AnInstalledVersionSatisfiesTheSameMajorNotOlder(string installed, string required, bool expected)
    {
        Assert.Equal(expected, RuntimeRequirements.Satisfies(Version.Parse(installed), Version.Parse(required)));
    }

    [Theory]
    [InlineData("10.0.12", "10.0.12")]
    [InlineData("10.0.0-rc.2.25502.107", "10.0.0")]
    [InlineData("10.0", null)]
    [InlineData("ten", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void FrameworkFolderNamesParseAsVersions(string? folder, string? expected)
    {
        Assert.Equal(expected is null ? null : Version.Parse(expected), RuntimeRequirements.ParseVersion(folder));
    }

    [Fact]
    public void APrereleaseFolderOfTheRightMajorCounts()
    {
        var probe = new FakeProbe();
        probe.Folders["/usr/share/dotnet/shared/Microsoft.NETCore.App"] = new[] { "10.0.0-rc.2.25502.107", "not-a-version" };
        Assert.Empty(Check(probe));
    }

    [Fact]
    public void ThisMachine_HasWhatLvsdNeeds()
    {
        // The machine that builds and tests LvsPS has the .NET 10 runtime (it runs these tests) and libpcap (the
        // lab tests need it): the system probe finds both, as the module's import does.
        var probe = SystemRuntimeProbe.Instance;
        var engine = Path.Combine(Path.GetTempPath(), "lvsps-no-such-dir", "lvsd.dll");
        Assert.Equal(new[] { "lvsd" }, RuntimeRequirements.Check(engine, probe).Select(m => m.Name));
        Assert.NotNull(probe.FindDotnetHost());
        Assert.False(probe.CanLoadLibrary("libpcap-no-such-library.so.9"));
    }
}
