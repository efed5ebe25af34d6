namespace LvsPS;

/// <summary>
/// The module's check at import (module/LvsPS.Requirements.ps1, a nested module of LvsPS.psd1): what lvsd needs
/// at run time and this machine lacks, as <see cref="RuntimeRequirements"/> finds it for the lvsd beside this
/// assembly (../lvsd/lvsd.dll, in a checkout and in the installed module alike).
/// </summary>
public static class ModuleRequirements
{
    /// <summary>One warning per missing requirement; none when lvsd can run here.</summary>
    public static string[] ImportWarnings() =>
        RuntimeRequirements.Check(LvsCmdlet.EnginePath, SystemRuntimeProbe.Instance).Select(m => m.Message).ToArray();
}
