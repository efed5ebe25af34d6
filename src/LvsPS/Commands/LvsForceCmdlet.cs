namespace LvsPS.Commands;

/// <summary>
/// Base of the destructive director cmdlets (ConfirmImpact High): they ask before they act unless -Force is given;
/// -WhatIf and an explicit -Confirm still apply with -Force.
/// </summary>
public abstract class LvsForceDirectorCmdlet : LvsDirectorCmdlet
{
    /// <summary>Do not ask for confirmation (an explicit -Confirm still asks; -WhatIf still only shows).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private bool WhatIfOn => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
        ? ((SwitchParameter)w).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>ShouldProcess, except that -Force (without -Confirm or -WhatIf) goes ahead without asking.</summary>
    internal bool ShouldProcessUnlessForced(string target, string action)
    {
        if (Force && !Given("Confirm") && !WhatIfOn)
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force).");
            return true;
        }
        return ShouldProcess(target, action);
    }
}
