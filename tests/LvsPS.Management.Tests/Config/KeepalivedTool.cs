using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LvsPS.Management.Tests.Config;

/// <summary>
/// keepalived -t (Debian's keepalived 2.2.7): <c>keepalived -t -l -n -f FILE</c>, run in a temporary folder, only parses
/// the configuration (checked with strace: no fork, no file written, only netlink dumps of links and addresses and a
/// memfd for the consolidated configuration) and exits with KEEPALIVED_EXIT_OK 0; KEEPALIVED_EXIT_CONFIG_TEST 5 when it
/// found errors it corrects or skips (it logs them and runs the result: persistence_timeout 0, an invalid address,
/// an unknown keyword, a missing interface ...); KEEPALIVED_EXIT_CONFIG_TEST_SECURITY 6 when scripts (MISC_CHECK,
/// notify_up, quorum_up ...) are configured without enable_script_security, or their user (script_user, else
/// keepalived_script, else root) is not usable; KEEPALIVED_EXIT_CONFIG 4 when a file is missing or the configuration
/// cannot run; 1..3 for memory, program and fatal errors. Its messages go to stderr, prefixed "(FILE: Line N) " and
/// repeated by each of its parsing passes.
/// </summary>
internal static class KeepalivedTool
{
    public const string Program = "/usr/sbin/keepalived";

    public static bool Available => File.Exists(Program);

    public sealed record Result(int ExitCode, IReadOnlyList<string> Messages)
    {
        /// <summary>keepalived runs the file (as written, or after the corrections it logs).</summary>
        public bool Accepted => ExitCode is 0 or 5 or 6;

        /// <summary>No complaint at all, apart from the script-security notice when the file has scripts.</summary>
        public bool Clean => ExitCode == 0 || (ExitCode == 6 && Messages.All(m => m.StartsWith("SECURITY VIOLATION", StringComparison.Ordinal)));

        public override string ToString() => $"exit {ExitCode}: {string.Join(" | ", Messages)}";
    }

    private static readonly Regex Where = new(@"^\((?:[^)]*: )?Line \d+\) ?", RegexOptions.CultureInvariant);

    public static Result Test(string file)
    {
        var dir = Directory.CreateTempSubdirectory("lvsps-ka-");
        try
        {
            var psi = new ProcessStartInfo(Program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir.FullName,
            };
            foreach (var a in new[] { "-t", "-l", "-n", "-f", file })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(30_000))
            {
                p.Kill(true);
                throw new TimeoutException($"keepalived -t {file} did not finish within 30 s");
            }
            p.WaitForExit();
            var messages = (err.Result + output.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => Where.Replace(l.Trim(), "")).Where(l => l.Length > 0).Distinct().ToList();
            return new Result(p.ExitCode, messages);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
