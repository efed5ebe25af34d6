namespace LvsPS.Commands;

/// <summary>Runs a shell command on one lab node (inside its network namespace) and returns its output lines.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "LvsLabCommand", HelpUri = LvsHelpUri.Base + "Invoke-LvsLabCommand.md")]
[OutputType(typeof(string))]
public sealed class InvokeLvsLabCommandCommand : LvsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    /// <summary>client, director (or vs1), rs1, rs2 ...</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNodeCompleter))]
    [Alias("NodeName")]
    [ValidateNotNullOrEmpty]
    public string Node { get; set; } = "";

    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    protected override void ProcessRecord()
    {
        var manager = new LabManager();
        LvsLab lab;
        try { lab = LoadLab(Lab, manager); }
        catch (LvsException e) { ThrowLvsError(e); return; }
        try
        {
            var (exit, output, error) = manager.Exec(lab, Node, Command, TimeSpan.FromSeconds(TimeoutSec));
            foreach (var line in output.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
                if (output.Length > 0) WriteObject(line);
            if (exit != 0)
                WriteLvsError(new LvsException(LvsErrorIds.LabCommandFailed, LvsErrorKind.InvalidOperation,
                    $"'{Command}' on {Node} of lab '{Lab}' exited with code {exit}" + (error.Trim().Length > 0 ? $": {error.Trim()}" : " (nothing on stderr)."), Command));
            else if (error.Trim().Length > 0)
                WriteVerbose(error.Trim());
        }
        catch (LvsException e) { WriteLvsError(e, Node); }
    }
}
