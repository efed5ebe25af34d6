using System.Globalization;
using System.Text;
using LvsPS.Management.Sync;
using LvsPS.Management.Tests.Config;

namespace LvsPS.Management.Tests.Sync;

public class LvsSyncPlannerTests
{
    private const string Table =
        "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.3 -g -w 1\n" +
        "-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 10.0.0.2 -g -w 1\n";

    private static List<LvsService> Actual(string rules) => ConfigTestData.ParseRules(rules).ToLvsServices();

    private static List<LvsConfigChange> Plan(string desired, string actual, bool prune = false) =>
        LvsSyncPlanner.Plan(ConfigTestData.ParseRules(desired).Services, Actual(actual), prune);

    private static string Show(IEnumerable<LvsConfigChange> changes) => string.Join("\n", changes.Select(c => $"{c.Action} {c.Target}: {c.Old} -> {c.New}"));

    [Fact]
    public void Same_table_plans_nothing() => Assert.Empty(Plan(Table, Table));

    [Fact]
    public void Empty_director_gets_every_service_with_its_real_servers()
    {
        var changes = Plan(Table, "");
        Assert.Equal(new[] { LvsChangeAction.Add, LvsChangeAction.Add }, changes.Select(c => c.Action));
        Assert.Equal("wlc, 2 real servers", changes[0].New);
        Assert.Equal("ipvsadm -A -t 10.0.0.1:80 -s wlc; ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1; ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1", changes[0].Command);
    }

    [Fact]
    public void Weight_and_scheduler_changes_are_edits_in_place()
    {
        var desired = Table.Replace("-s wlc", "-s rr").Replace("-r 10.0.0.3 -g -w 1", "-r 10.0.0.3 -g -w 4");
        Assert.Equal(
            "Edit TCP 10.0.0.1:80: wlc -> rr\nEdit real server 10.0.0.3:80 in TCP 10.0.0.1:80: w1 Route -> w4 Route",
            Show(Plan(desired, Table)));
    }

    [Fact]
    public void Missing_real_server_added_extra_removed_within_a_named_service()
    {
        var desired = "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.4 -g -w 2\n";
        Assert.Equal(
            "Add real server 10.0.0.4:80 in TCP 10.0.0.1:80:  -> w2 Route\nRemove real server 10.0.0.3:80 in TCP 10.0.0.1:80: w1 Route -> ",
            Show(Plan(desired, Table)));
    }

    [Fact]
    public void Services_the_file_does_not_name_stay_unless_pruned()
    {
        var desired = "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.3 -g -w 1\n";
        Assert.Empty(Plan(desired, Table));
        var pruned = Plan(desired, Table, prune: true);
        Assert.Equal("Remove UDP 10.0.0.1:53: rr -> ", Show(pruned));
        Assert.Equal("ipvsadm -D -u 10.0.0.1:53", pruned[0].Command);
    }

    [Fact]
    public void Persistence_and_forwarding_are_compared()
    {
        var desired = Table.Replace("-A -t 10.0.0.1:80 -s wlc", "-A -t 10.0.0.1:80 -s wlc -p 300").Replace("-r 10.0.0.2 -g -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.3", "-r 10.0.0.2 -m -w 1\n-a -t 10.0.0.1:80 -r 10.0.0.3");
        var changes = Plan(desired, Table);
        Assert.Equal("Edit TCP 10.0.0.1:80: wlc -> wlc persistent 300\nEdit real server 10.0.0.2:80 in TCP 10.0.0.1:80: w1 Route -> w1 Masq", Show(changes));
    }

    /// <summary>Plain property: for tables drawn from a small space, planning against the planned result plans nothing.</summary>
    [Fact]
    public void Applying_a_plan_reaches_the_desired_state()
    {
        string[] scheds = { "rr", "wlc", "sh" };
        var rng = new Random(12);
        for (int round = 0; round < 200; round++)
        {
            string Draw()
            {
                var sb = new StringBuilder();
                for (int port = 80; port < 83; port++)
                {
                    if (rng.Next(3) == 0) continue;
                    sb.Append(CultureInfo.InvariantCulture, $"-A -t 10.0.0.1:{port} -s {scheds[rng.Next(3)]}\n");
                    for (int rs = 2; rs < 6; rs++)
                        if (rng.Next(2) == 0)
                            sb.Append(CultureInfo.InvariantCulture, $"-a -t 10.0.0.1:{port} -r 10.0.0.{rs} -g -w {rng.Next(4)}\n");
                }
                return sb.ToString();
            }
            string desired = Draw(), actual = Draw();
            var table = new FakeTable(Actual(actual));
            var director = table.Director;
            var plan = Plan(desired, actual, prune: true);
            foreach (var c in plan) c.Apply(director);
            Assert.Empty(LvsSyncPlanner.Plan(ConfigTestData.ParseRules(desired).Services, director.ListServices(), prune: true));
            Assert.Equal(ConfigTestData.ParseRules(desired).Services.Count, director.ListServices().Count);
        }
    }
}
