using System.Collections;
using System.Management.Automation.Language;

namespace LvsPS;

/// <summary>Completes -Name with the VRRP instances of the director given by -Director (or the only one running).</summary>
public sealed class VrrpInstanceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var instances = Completion.Bounded(() => LvsCmdlet.Client(Completion.Text(fakeBoundParameters, "Director")).ListVrrpInstances(), new List<VrrpInstanceStatus>());
        return Completion.Offer(instances.Select(i => (i.Name, $"{i.Name}: vrid {i.VirtualRouterId} on {i.Interface}, {i.State}")), wordToComplete);
    }
}

/// <summary>
/// Completes -Interface with the interfaces known for the director given by -Director: an engine director's own
/// (and inside) interface, those of its network namespace, those its VRRP instances and sync daemons use, and a
/// lab director's.
/// </summary>
public sealed class DirectorInterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = Completion.Bounded(() =>
        {
            var list = new List<(string, string)>();
            var director = LvsCmdlet.Client(Completion.Text(fakeBoundParameters, "Director"));
            var status = director.GetStatus();
            list.Add((status.Interface, $"{status.Interface}: the interface director '{director.Name}' serves"));
            if (status.InsideInterface is { } inside) list.Add((inside, $"{inside}: the inside interface of director '{director.Name}'"));
            list.AddRange(director.ListVrrpInstances().Select(i => (i.Interface, $"{i.Interface}: used by VRRP instance {i.Name}")));
            list.AddRange(director.ListSyncDaemons().Select(d => (d.Interface, $"{d.Interface}: used by the {d.Role} sync daemon")));
            var lab = new LabManager().List().FirstOrDefault(l => l.Name == director.Name || director.Name.StartsWith(l.Name + "-", StringComparison.Ordinal));
            if (lab is not null) list.AddRange(lab.Nodes.Where(n => n.Role == LvsLabRole.Director).Select(n => (n.Interface, $"{n.Interface} of lab node {n.Name}")));
            if (status.Kind == LvsDirectorKind.Engine)
                list.AddRange(Completion.Interfaces(status.NetworkNamespace).Where(n => n != "lo")
                    .Select(n => (n, $"{n} in {(status.NetworkNamespace is { } ns ? "namespace " + ns : "this machine")}")));
            return list;
        }, new List<(string, string)>());
        return Completion.Offer(names, wordToComplete);
    }
}
