namespace LvsPS.Commands;

/// <summary>Gets the labs on this machine.</summary>
[Cmdlet(VerbsCommon.Get, "LvsLab", HelpUri = LvsHelpUri.Base + "Get-LvsLab.md")]
[OutputType(typeof(LvsLab))]
public sealed class GetLvsLabCommand : LvsCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var labs = new LabManager().List();
        var patterns = (Name ?? new[] { "*" }).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var found = labs.Where(l => patterns.Any(p => p.IsMatch(l.Name))).ToList();
        WriteObject(found, true);
        if (Name is not null)
            foreach (var n in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !found.Any(l => string.Equals(l.Name, n, StringComparison.OrdinalIgnoreCase))))
                WriteLvsError(LabNotFound(n));
    }
}
