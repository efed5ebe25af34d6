using LvsPS.Management.Sync;

namespace LvsPS.Commands;

/// <summary>
/// Runs an ipvsadm command line against an LvsPS director (lvsd or a connected kernel director): -A/-E/-D,
/// -a/-e/-d, -C, -Z and --set go through the management layer with -WhatIf/-Confirm; -L (with -n, --stats, --rate,
/// --thresholds, --persistent-conn, --exact, -c, --timeout) and -S write ipvsadm's exact text.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LvsAdm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Invoke-LvsAdm.md")]
[Alias("lvsadm")]
[OutputType(typeof(string))]
public sealed class InvokeLvsAdmCommand : LvsDirectorCmdlet
{
    /// <summary>The ipvsadm arguments: one string ('-A -t 10.0.0.1:80 -s rr') or separate words.</summary>
    [Parameter(Position = 0, ValueFromRemainingArguments = true)]
    [AllowEmptyCollection]
    public string[] Command { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        if (!Try(() => IpvsadmCommandLine.Parse(IpvsadmCommandLine.Arguments(Command)), out var inv, string.Join(' ', Command))) return;
        var client = GetClient();
        if (!inv.Changes)
        {
            WriteObject(Read(client, c => IpvsadmCommandLine.Render(inv, c)));
            return;
        }
        if (!Try(() => IpvsadmCommandLine.Change(inv, client.ListServices(), client.Name), out var change, string.Join(' ', Command))) return;
        WriteVerbose($"{change.Command} on director '{client.Name}'");
        // -D, -d, -C and -Z ask at ConfirmImpact High, -A, -E, -a, -e and --set at Medium. There is no -Force: an
        // unquoted -f (ipvsadm's --fwmark-service) would bind to it; -Confirm:$false skips the question.
        if (!ShouldProcessAt($"{change.Target} on director '{client.Name}'", change.Description,
                change.Destructive ? ConfirmImpact.High : ConfirmImpact.Medium)) return;
        Try(() => change.Apply(client), change.Target);
    }
}
