using System.Collections;
using System.Management.Automation.Language;

namespace LvsPS;

internal static class CompletionHelper
{
    public static IEnumerable<CompletionResult> Complete(IEnumerable<string> values, string word)
    {
        word ??= "";
        foreach (var v in values.Distinct(StringComparer.Ordinal))
            if (v.StartsWith(word.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(v, v, CompletionResultType.ParameterValue, v);
    }
}

/// <summary>Completes director names from running sockets and saved states.</summary>
public sealed class DirectorNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(DirectorPaths.SocketNames().Concat(DirectorPaths.StateNames()).Concat(LvsPS.Management.Kernel.KernelDirectorRegistry.Names), wordToComplete);
}

/// <summary>Completes lab names.</summary>
public sealed class LabNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names;
        try { names = new LabManager().List().Select(l => l.Name); }
        catch (Exception) { names = Array.Empty<string>(); }
        return CompletionHelper.Complete(names, wordToComplete);
    }
}

/// <summary>Completes node names of the lab given by -Lab (client, director, rs1 ...).</summary>
public sealed class LabNodeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names = new[] { "client", "director" };
        try
        {
            var labName = fakeBoundParameters["Lab"]?.ToString();
            var labs = new LabManager().List();
            var lab = labName is null ? labs.FirstOrDefault() : labs.FirstOrDefault(l => l.Name == labName);
            if (lab is not null) names = lab.Nodes.Select(n => n.Name);
        }
        catch (Exception) { }
        return CompletionHelper.Complete(names, wordToComplete);
    }
}

/// <summary>Completes the director nodes of the lab given by -Lab (director; director1, director2 in a pair).</summary>
public sealed class LabDirectorNodeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names = new[] { "director" };
        try
        {
            var labName = fakeBoundParameters["Lab"]?.ToString();
            var labs = new LabManager().List();
            var lab = labName is null ? labs.FirstOrDefault() : labs.FirstOrDefault(l => string.Equals(l.Name, labName, StringComparison.OrdinalIgnoreCase));
            if (lab is not null) names = lab.Directors.Select(n => n.Name);
        }
        catch (Exception) { }
        return CompletionHelper.Complete(names, wordToComplete);
    }
}

/// <summary>Completes -HttpProtocol with keepalived's http_protocol values.</summary>
public sealed class HttpProtocolCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(new[] { "1.0", "1.0C", "1.1" }, wordToComplete);
}

/// <summary>Completes -StatusCode with the usual status codes and ranges.</summary>
public sealed class StatusCodeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(new[] { "200", "200-299", "200-399", "204", "301", "302", "401", "403" }, wordToComplete);
}
