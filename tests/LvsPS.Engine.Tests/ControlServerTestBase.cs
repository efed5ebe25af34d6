using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Base of the tests on a real control socket: a real engine (<see cref="EngineHarness"/>) behind lvsd's
/// ControlServer and its one Dispatcher, under a fresh director name; the names of the operations the dispatcher
/// saves are recorded in order.
/// </summary>
public abstract class ControlServerTestBase : IDisposable
{
    private protected readonly string _name;
    private protected readonly EngineHarness _h = new();
    private protected readonly List<string> _saved = new();
    private protected ControlServer _server;

    protected ControlServerTestBase(string namePrefix)
    {
        _name = namePrefix + Guid.NewGuid().ToString("N")[..10];
        DirectorPaths.EnsureDirectories();
        _server = Serve(null);
    }

    /// <summary>A started server on the director's socket, with these limits (null: the defaults).</summary>
    private protected ControlServer Serve(ControlServerLimits? limits)
    {
        var dispatcher = new Dispatcher(_h.Engine, (op, _) => { lock (_saved) _saved.Add(op.Name); });
        var server = new ControlServer(DirectorPaths.Socket(_name), dispatcher.Handle, limits);
        server.Start();
        return server;
    }

    public virtual void Dispose() => _server.Dispose();
}
