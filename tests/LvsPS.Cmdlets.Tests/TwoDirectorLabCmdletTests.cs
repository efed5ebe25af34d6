using System.Security.Cryptography;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// New-LvsLab -DirectorCount/-DirectorKind binding and validation, and Start-LvsDirector -Lab/-Node on a saved
/// two-director lab, all under -WhatIf (nothing is built or started), plus -Node completion.
/// </summary>
public sealed class TwoDirectorLabCmdletTests : CmdletTestBase
{
    private static string NoLab() => "nolab" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    private static string WhatIfNew(string name, string rest) =>
        $"What if: Performing the operation \"New LvsPS lab\" on target \"lab '{name}' with 2 real server(s) on 10.250.0.0/24{rest}\".";

    [Fact]
    public void NewLvsLab_DirectorCount2_WhatIf_DescribesThePair_OneKindForBoth_OrOneEach()
    {
        var name = NoLab();
        var r = Run("New-LvsLab -Name $n -DirectorCount 2 -WhatIf; " +
                    "New-LvsLab -Name $n -DirectorCount 2 -DirectorKind Kernel -Forwarding Tunnel -WhatIf; " +
                    "New-LvsLab -Name $n -DirectorCount 2 -DirectorKind Engine, Kernel -WhatIf; " +
                    "New-LvsLab -Name $n -DirectorCount 1 -WhatIf", ("n", name)).Ok();
        Assert.Equal(new[]
        {
            WhatIfNew(name, " and two directors (director1 Engine, director2 Engine)"),
            WhatIfNew(name, " and two directors (director1 Kernel, director2 Kernel)"),
            WhatIfNew(name, " and two directors (director1 Engine, director2 Kernel)"),
            WhatIfNew(name, ""),
        }, r.WhatIf);
        Assert.Empty(r.Output);
        Assert.DoesNotContain(DirectorFixture.Namespaces(), n => n.StartsWith($"lvs-{name}-", StringComparison.Ordinal));
    }

    [Fact]
    public void NewLvsLab_NatPair_IsRefused_EvenUnderWhatIf_NamingTheValue()
    {
        var name = NoLab();
        var r = Run("New-LvsLab -Name $n -DirectorCount 2 -Forwarding Masq -WhatIf", ("n", name));
        AssertLvsError(r.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, LvsPS.Ipvs.Model.LvsForwarding.Masq, "NewLvsLabCommand");
        Assert.Contains("director pairs are DR (Route) or Tunnel labs for now", r.SingleError().Exception.Message);
        Assert.Contains("-Forwarding Masq", r.SingleError().Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void NewLvsLab_TwoKinds_NeedTwoDirectors_EvenUnderWhatIf()
    {
        var name = NoLab();
        var r = Run("New-LvsLab -Name $n -DirectorKind Engine, Kernel -WhatIf", ("n", name));
        AssertLvsError(r.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, "Engine,Kernel", "NewLvsLabCommand");
        Assert.Contains("-DirectorCount 2", r.SingleError().Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Theory]
    [InlineData("New-LvsLab -Name x -DirectorCount 3 -WhatIf", "ParameterArgumentValidationError", "DirectorCount")]
    [InlineData("New-LvsLab -Name x -DirectorCount 0 -WhatIf", "ParameterArgumentValidationError", "DirectorCount")]
    [InlineData("New-LvsLab -Name x -DirectorCount 2 -DirectorKind Engine, Kernel, Engine -WhatIf", "ParameterArgumentValidationError", "DirectorKind")]
    [InlineData("New-LvsLab -Name x -DirectorCount 2 -DirectorKind Engine, Vm -WhatIf", "CannotConvertArgumentNoMessage", "DirectorKind")]
    public void NewLvsLab_BadCountOrKinds_AreBindingErrors(string script, string errorId, string parameter)
    {
        var r = Run(script);
        AssertBindingError(r, errorId, parameter);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void NewLvsLab_DirectorKind_IsAnArrayOfTheEnum_DirectorCountAnInt()
    {
        var cmd = Command("New-LvsLab");
        Assert.Equal("LvsPS.Management.Lab.LvsLabDirectorKind[]", cmd.Parameters["DirectorKind"].ParameterType.FullName);
        Assert.Equal(typeof(int), cmd.Parameters["DirectorCount"].ParameterType);
        Assert.Contains("Node", Command("Start-LvsDirector").Parameters.Keys);
    }

    /// <summary>Saves a two-director lab.json (as New-LvsLab -DirectorCount 2 would) without building anything.</summary>
    private string SavePair(string kind2)
    {
        var name = NoLab();
        var dir = Path.Combine(TempDir, "labs", name);
        Directory.CreateDirectory(dir);
        string Node(string node, int octet, string kind, string ns, string host) => $$"""
            { "Lab": "{{name}}", "Name": "{{node}}", "Role": "Director", "Index": {{octet}}, "Namespace": "{{ns}}", "Host": "{{host}}",
              "Interface": "eth0", "Address": "10.250.0.{{octet}}", "MacAddress": "02:4c:56:aa:01:0{{octet}}",
              "DirectorKind": "{{kind}}", "DirectorName": "{{name}}-{{node}}" }
            """;
        var d1 = Node("director1", 1, "Engine", $"lvs-{name}-director1", "Namespace");
        var d2 = kind2 == "Engine" ? Node("director2", 2, "Engine", $"lvs-{name}-director2", "Namespace")
            : Node("director2", 2, "Kernel", $"lvs-{name}-sw", "VirtualMachine");
        File.WriteAllText(Path.Combine(dir, "lab.json"), $$"""
            { "Name": "{{name}}", "Subnet": "10.250.0.0/24", "PrefixLength": 24, "VirtualAddress": "10.250.0.101",
              "Forwarding": "Route", "DirectorKind": "Engine", "SwitchNamespace": "lvs-{{name}}-sw", "Directory": "{{dir}}",
              "Client": { "Lab": "{{name}}", "Name": "client", "Role": "Client", "Namespace": "lvs-{{name}}-client", "Address": "10.250.0.200" },
              "Director": {{d1}},
              "Directors": [ {{d1}}, {{d2}} ],
              "RealServers": [ { "Lab": "{{name}}", "Name": "rs1", "Role": "RealServer", "Index": 1, "Namespace": "lvs-{{name}}-rs1", "Address": "10.250.0.3" } ] }
            """);
        return name;
    }

    [Fact]
    public void StartLvsDirector_Lab_StartsEveryEngineDirectorOfAPair_NodeOne()
    {
        var name = SavePair("Engine");
        var r = Run("Start-LvsDirector -Lab $n -WhatIf", ("n", name)).Ok();
        Assert.Equal(2, r.WhatIf.Count);
        Assert.StartsWith($"What if: Performing the operation \"Start LvsPS director\" on target \"director '{name}-director1' on eth0 in namespace lvs-{name}-director1: ", r.WhatIf[0]);
        Assert.StartsWith($"What if: Performing the operation \"Start LvsPS director\" on target \"director '{name}-director2' on eth0 in namespace lvs-{name}-director2: ", r.WhatIf[1]);
        Assert.Matches($"--name'? '?{name}-director2'? '?--interface'? '?eth0", r.WhatIf[1]);

        r = Run("Start-LvsDirector -Lab $n -Node director2 -WhatIf", ("n", name)).Ok();
        Assert.Contains($"director '{name}-director2'", Assert.Single(r.WhatIf));
        r = Run("Start-LvsDirector -Lab $n -Node vs1 -WhatIf", ("n", name)).Ok();
        Assert.Contains($"director '{name}-director1'", Assert.Single(r.WhatIf));

        r = Run("Start-LvsDirector -Lab $n -Node rs1 -WhatIf", ("n", name));
        AssertLvsError(r.SingleError(), "LabNodeNotFound", ErrorCategory.ObjectNotFound, "rs1", "StartLvsDirectorCommand");
        Assert.Contains("director1, director2", r.SingleError().Exception.Message);
        Assert.Empty(r.WhatIf);

        // the lab shows both directors
        var names = Run("$l = Get-LvsLab -Name $n; $l.Directors | ForEach-Object { $l.DirectorNameOf($_) }", ("n", name)).Ok();
        Assert.Equal(new[] { $"{name}-director1", $"{name}-director2" }, names.Output.Select(o => o.ToString()));
        var table = Run("Get-LvsLab -Name $n | Format-Table | Out-String -Width 80", ("n", name)).Ok();
        var text = string.Concat(table.Output.Select(o => o.ToString()));
        Assert.Contains("Engine,Engine", text);
        Assert.Contains("10.250.0.1 10.250.0.2", text);
        Assert.All(text.Split('\n'), l => Assert.True(l.TrimEnd().Length <= 80, l));
    }

    [Fact]
    public void StartLvsDirector_MixedPair_StartsTheEngine_RefusesTheKernelNode()
    {
        var name = SavePair("Kernel");
        var r = Run("Start-LvsDirector -Lab $n -WhatIf", ("n", name)).Ok();
        Assert.Contains($"director '{name}-director1'", Assert.Single(r.WhatIf));

        r = Run("Start-LvsDirector -Lab $n -Node director2 -WhatIf", ("n", name));
        AssertLvsError(r.SingleError(), "NotSupportedByDirector", ErrorCategory.InvalidOperation, $"{name}-director2", "StartLvsDirectorCommand");
        Assert.Contains($"-Director {name}-director2", r.SingleError().Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void NodeCompletion_NamesBothDirectors()
    {
        var name = SavePair("Engine");
        var line = $"Start-LvsDirector -Lab {name} -Node ";
        var start = Run("(TabExpansion2 $l $l.Length).CompletionMatches.CompletionText", ("l", line)).Ok();
        Assert.Equal(new[] { "director1", "director2" }, start.Output.Select(o => o.ToString()));
        line = $"Invoke-LvsLabCommand -Lab {name} -Node d";
        var invoke = Run("(TabExpansion2 $l $l.Length).CompletionMatches.CompletionText", ("l", line)).Ok();
        Assert.Equal(new[] { "director1", "director2" }, invoke.Output.Select(o => o.ToString()));
    }
}
