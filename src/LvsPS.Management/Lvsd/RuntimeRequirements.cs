using System.Runtime.InteropServices;
using System.Text.Json;

namespace LvsPS.Management.Lvsd;

/// <summary>What lvsd needs on this machine and is missing: what, why it matters, and how to install it.</summary>
public sealed record MissingRequirement(string Name, string Problem, string Remedy)
{
    /// <summary>The warning the module writes at import: the problem, then the remedy.</summary>
    public string Message => $"LvsPS: {Problem} {Remedy}";
}

/// <summary>The machine as <see cref="RuntimeRequirements"/> sees it; tests give a fake one.</summary>
public interface IRuntimeProbe
{
    /// <summary>The dotnet host lvsd would be started with, or null when there is none.</summary>
    string? FindDotnetHost();

    /// <summary>The file a path leads to once every symbolic link is followed (the path itself when it is none).</summary>
    string RealPath(string path);

    bool FileExists(string path);

    /// <summary>The file's text, or null when it cannot be read.</summary>
    string? ReadAllText(string path);

    /// <summary>The names of the folders in a folder (none when it does not exist).</summary>
    IEnumerable<string> DirectoryNames(string path);

    /// <summary>Whether the dynamic linker loads a shared library of that name (e.g. libpcap.so.1).</summary>
    bool CanLoadLibrary(string name);
}

/// <summary>
/// Checks, when the module is imported, what lvsd (the user-space director of Start-LvsDirector and New-LvsLab)
/// needs at run time: lvsd.dll itself, a dotnet host with the .NET runtime lvsd.runtimeconfig.json asks for
/// (Microsoft.NETCore.App 10), and libpcap. Whatever is missing comes back as one <see cref="MissingRequirement"/>
/// each, with the Debian command that installs it; the module warns and imports anyway, since the cmdlets for
/// kernel directors over SSH and for configuration files need none of it.
/// </summary>
public static class RuntimeRequirements
{
    /// <summary>The names lvsd's libpcap resolver tries, in its order (LvsPS.Engine's PcapLink).</summary>
    public static readonly IReadOnlyList<string> PcapLibraryNames = new[] { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so" };

    /// <summary>The Debian package of libpcap.</summary>
    public const string PcapPackage = "libpcap0.8";

    /// <summary>The framework lvsd runs on when its runtimeconfig.json does not say.</summary>
    public const string DefaultFramework = "Microsoft.NETCore.App";

    /// <summary>The framework version lvsd is built for when its runtimeconfig.json does not say.</summary>
    public static readonly Version DefaultFrameworkVersion = new(10, 0, 0);

    private const string RuntimeRemedy =
        "Install the .NET 10 runtime: sudo apt-get install dotnet-runtime-10.0 (from packages.microsoft.com, see " +
        "https://learn.microsoft.com/dotnet/core/install/linux-debian), or set DOTNET_ROOT to a .NET 10 installation.";

    /// <summary>What lvsd at <paramref name="enginePath"/> (lvsd.dll) needs and <paramref name="probe"/> does not find.</summary>
    public static IReadOnlyList<MissingRequirement> Check(string enginePath, IRuntimeProbe probe)
    {
        var missing = new List<MissingRequirement>();
        if (!probe.FileExists(enginePath))
            missing.Add(new MissingRequirement("lvsd",
                $"The director engine lvsd was not found at {enginePath}, so Start-LvsDirector and New-LvsLab cannot start it.",
                "The module is incomplete: in a checkout run ./build.sh build; an installed module, install it again (Install-PSResource LvsPS -Reinstall)."));

        var (framework, version) = RequiredFramework(Path.ChangeExtension(enginePath, ".runtimeconfig.json"), probe);
        var host = probe.FindDotnetHost();
        if (host is null)
        {
            missing.Add(new MissingRequirement("dotnet",
                $"lvsd runs on the .NET runtime ({framework} {version.Major}), and no dotnet host was found (DOTNET_ROOT, PATH, /usr/share/dotnet, /usr/lib/dotnet).",
                RuntimeRemedy));
        }
        else
        {
            var root = Path.GetDirectoryName(probe.RealPath(host)) ?? "/";
            var found = InstalledVersions(probe, Path.Combine(root, "shared", framework)).ToList();
            if (!found.Any(v => Satisfies(v, version)))
                missing.Add(new MissingRequirement("dotnet-runtime",
                    $"lvsd needs the .NET runtime {framework} {version.Major}.{version.Minor} (or a later {version.Major}.x), and the dotnet host {host} has " +
                    (found.Count == 0 ? "none" : string.Join(", ", found.Select(v => v.ToString()))) + ".",
                    RuntimeRemedy));
        }

        if (!PcapLibraryNames.Any(probe.CanLoadLibrary))
            missing.Add(new MissingRequirement("libpcap",
                $"lvsd (Start-LvsDirector, New-LvsLab) sends and receives its frames with libpcap, and none of {string.Join(", ", PcapLibraryNames)} loads.",
                $"Install it: sudo apt-get install {PcapPackage}. The cmdlets for kernel directors over SSH and for configuration files work without it."));
        return missing;
    }

    /// <summary>
    /// Whether an installed framework version runs an app built for <paramref name="required"/>: the same major
    /// version and not older (the host's default roll-forward, to the latest patch of a later minor if needed).
    /// </summary>
    public static bool Satisfies(Version installed, Version required) =>
        installed.Major == required.Major && installed >= required;

    /// <summary>The framework and version lvsd's runtimeconfig.json names (runtimeOptions.framework), else the defaults.</summary>
    public static (string Name, Version Version) RequiredFramework(string runtimeConfigPath, IRuntimeProbe probe)
    {
        var text = probe.ReadAllText(runtimeConfigPath);
        if (text is null) return (DefaultFramework, DefaultFrameworkVersion);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("runtimeOptions", out var options) &&
                options.TryGetProperty("framework", out var fw) &&
                fw.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } n &&
                fw.TryGetProperty("version", out var ver) && ParseVersion(ver.GetString()) is Version v)
                return (n, v);
        }
        catch (JsonException) { }
        return (DefaultFramework, DefaultFrameworkVersion);
    }

    /// <summary>A framework folder's version ("10.0.12", "10.0.0-rc.2.25502.107"), or null when it is none.</summary>
    public static Version? ParseVersion(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var dash = text.IndexOf('-');
        var core = dash < 0 ? text : text[..dash];
        return Version.TryParse(core, out var v) && v.Build >= 0 ? v : null;
    }

    private static IEnumerable<Version> InstalledVersions(IRuntimeProbe probe, string frameworkDir) =>
        probe.DirectoryNames(frameworkDir).Select(ParseVersion).OfType<Version>().OrderBy(v => v);
}

/// <summary>This machine: the dotnet host Start-LvsDirector uses, the file system and the dynamic linker.</summary>
public sealed class SystemRuntimeProbe : IRuntimeProbe
{
    public static SystemRuntimeProbe Instance { get; } = new();

    public string? FindDotnetHost() => DirectorLauncher.TryFindDotnet();

    public string RealPath(string path)
    {
        try { return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { return path; }
        catch (UnauthorizedAccessException) { return path; }
    }

    public bool FileExists(string path) => File.Exists(path);

    public string? ReadAllText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public IEnumerable<string> DirectoryNames(string path)
    {
        try { return Directory.Exists(path) ? Directory.GetDirectories(path).Select(Path.GetFileName).OfType<string>().ToList() : []; }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    public bool CanLoadLibrary(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
