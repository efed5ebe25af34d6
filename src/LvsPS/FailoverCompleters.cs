using System.Collections;
using System.Management.Automation.Language;

namespace LvsPS;

/// <summary>Completes -Name with the VRRP instances of the director given by -Director (or the only one running).</summary>
public sealed class VrrpInstanceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names;
        try { names = LvsCmdlet.Client(fakeBoundParameters["Director"]?.ToString()).ListVrrpInstances().Select(i => i.Name).ToList(); }
        catch (Exception) { names = Array.Empty<string>(); }
        return CompletionHelper.Complete(names, wordToComplete);
    }
}

/// <summary>
/// Completes -Interface with the interfaces known for the director given by -Director: an engine director's own
/// (and inside) interface, those its VRRP instances and sync daemons use, and a lab director's.
/// </summary>
public sealed class DirectorInterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = new List<string>();
        try
        {
            var director = LvsCmdlet.Client(fakeBoundParameters["Director"]?.ToString());
            var status = director.GetStatus();
            names.Add(status.Interface);
            if (status.InsideInterface is { } inside) names.Add(inside);
            names.AddRange(director.ListVrrpInstances().Select(i => i.Interface));
            names.AddRange(director.ListSyncDaemons().Select(d => d.Interface));
            var lab = new LabManager().List().FirstOrDefault(l => l.Name == director.Name || director.Name.StartsWith(l.Name + "-", StringComparison.Ordinal));
            if (lab is not null) names.AddRange(lab.Nodes.Where(n => n.Role == LvsLabRole.Director).Select(n => n.Interface));
        }
        catch (Exception) { }
        return CompletionHelper.Complete(names.Where(n => !string.IsNullOrEmpty(n)), wordToComplete);
    }
}
