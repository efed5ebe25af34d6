using System.ComponentModel;
using System.Diagnostics;

namespace LvsPS.Management.Util;

/// <summary>Outcome of <see cref="ProcessRunner.Run"/>.</summary>
/// <param name="ExitCode">The child's exit code; <see cref="ProcessRunner.TimeoutExitCode"/> when it was killed on timeout,
/// <see cref="ProcessRunner.NotStartedExitCode"/> when it could not be started.</param>
/// <param name="Output">Everything the child wrote to standard output.</param>
/// <param name="Error">Everything the child wrote to standard error (plus a note when it timed out or failed to start).</param>
/// <param name="TimedOut">True when the child (and its descendants) were killed because the timeout elapsed.</param>
public sealed record ProcessResult(int ExitCode, string Output, string Error, bool TimedOut = false)
{
    public bool Success => ExitCode == 0 && !TimedOut;

    /// <summary>Output and error joined, trimmed; handy for error messages.</summary>
    public string Combined
    {
        get
        {
            var o = Output.Trim();
            var e = Error.Trim();
            if (o.Length == 0) return e;
            if (e.Length == 0) return o;
            return o + "\n" + e;
        }
    }

    public void Deconstruct(out int exitCode, out string output, out string error)
    {
        exitCode = ExitCode;
        output = Output;
        error = Error;
    }
}

/// <summary>
/// Runs a program with an argument list (no shell, no quoting), captures stdout and stderr, and kills the
/// whole process tree when the timeout elapses. Standard input is closed (or fed <c>input</c>) so the child never
/// reads the caller's terminal.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Exit code reported when the child was killed on timeout (same as timeout(1)).</summary>
    public const int TimeoutExitCode = 124;
    /// <summary>Exit code reported when the program could not be started (same as a shell's "command not found").</summary>
    public const int NotStartedExitCode = 127;

    /// <summary>How long to keep reading output after the child exited, in case a grandchild still holds the pipes.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout) =>
        Run(file, args, timeout, input: null, workingDirectory: null, environment: null);

    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout, string? input,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);

        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        if (environment != null)
        {
            foreach (var (k, v) in environment)
            {
                if (v == null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        }

        using var proc = new Process { StartInfo = psi };
        try
        {
            if (!proc.Start())
                return new ProcessResult(NotStartedExitCode, "", $"{file}: could not be started");
        }
        catch (Win32Exception ex)
        {
            return new ProcessResult(NotStartedExitCode, "", $"{file}: {ex.Message}");
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outTask = PumpAsync(proc.StandardOutput, stdout);
        var errTask = PumpAsync(proc.StandardError, stderr);

        try
        {
            if (input != null) proc.StandardInput.Write(input);
            proc.StandardInput.Close();
        }
        catch (IOException)
        {
            // the child exited (or closed stdin) before reading its input
        }

        bool timedOut = false;
        var effective = timeout <= TimeSpan.Zero ? TimeSpan.Zero : timeout;
        if (!proc.WaitForExit(effective))
        {
            timedOut = true;
            try { proc.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            catch (Win32Exception) { }
            proc.WaitForExit(TimeSpan.FromSeconds(5));
        }

        // A detached grandchild that inherited our pipes would keep them open forever: read only for a short grace period.
        Task.WaitAll(new[] { outTask, errTask }, DrainGrace);

        string o, e;
        lock (stdout) o = stdout.ToString();
        lock (stderr) e = stderr.ToString();

        if (timedOut)
        {
            var note = $"{file}: timed out after {effective.TotalSeconds:0.###} s and was killed";
            e = e.Length == 0 ? note : e.TrimEnd('\n') + "\n" + note;
            return new ProcessResult(TimeoutExitCode, o, e, TimedOut: true);
        }

        int code;
        try { code = proc.ExitCode; }
        catch (InvalidOperationException) { code = TimeoutExitCode; }
        return new ProcessResult(code, o, e);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                lock (sink) sink.Append(buffer, 0, n);
            }
        }
        catch (ObjectDisposedException) { }
        catch (IOException) { }
    }
}
