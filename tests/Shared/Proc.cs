using System.Diagnostics;

namespace LvsPS.Tests;

/// <summary>Runs a local program and collects its output (test helper).</summary>
internal static class Proc
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public Result Check(string what)
        {
            if (ExitCode != 0) throw new InvalidOperationException($"{what} failed (exit {ExitCode}): {Error}{Output}");
            return this;
        }
    }

    public static Result Run(string file, params string[] args) => RunWithInput(file, null, args);

    public static Result RunWithInput(string file, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin != null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin != null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 60 s");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, outTask.Result, errTask.Result);
    }

    /// <summary>Runs a command inside a network namespace this test created.</summary>
    public static Result InNetns(string ns, params string[] args)
        => Run("ip", new[] { "netns", "exec", ns }.Concat(args).ToArray());
}

/// <summary>A temporary directory removed on Dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("lvsps-remote-").FullName;
    }

    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

internal static class Keys
{
    /// <summary>Creates an unencrypted key pair with ssh-keygen; returns (private key path, public key line).</summary>
    public static (string PrivateKey, string PublicLine) Generate(TempDir dir, string name, string type = "ed25519", string? bits = null)
    {
        var path = dir.File(name);
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", "lvsps-test-" + name, "-f", path };
        if (bits != null) { args.Add("-b"); args.Add(bits); }
        Proc.Run("ssh-keygen", args.ToArray()).Check("ssh-keygen " + type);
        return (path, System.IO.File.ReadAllText(path + ".pub").Trim());
    }

    /// <summary>(type, blob) of an OpenSSH public key line.</summary>
    public static (string Type, byte[] Blob) Parse(string publicLine)
    {
        var f = publicLine.Split(' ');
        return (f[0], Convert.FromBase64String(f[1]));
    }
}
