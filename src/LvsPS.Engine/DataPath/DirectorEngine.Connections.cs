// DirectorEngine, packet path: the connection entries. Creating and binding them to a real server (persistence
// templates included), the TCP/SCTP state moves with the active/inactive counters, the overload thresholds,
// unbinding and timer expiry. The table itself is Tables/ConnectionTable.cs.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Set in a template key's protocol byte: templates and connections never share a key.</summary>
    private const byte TemplateKeyBit = 0x80;

    /// <summary>
    /// The key protocol of an address service's template: the protocol with <see cref="TemplateKeyBit"/>; SCTP (132)
    /// already has that bit, so its templates take 255 (reserved, never a connection's protocol here).
    /// </summary>
    private static byte TemplateProtocol(byte protocol) =>
        protocol == Frames.ProtoSctp ? (byte)0xff : (byte)(protocol | TemplateKeyBit);

    /// <summary>Creates and binds a connection to <paramref name="dest"/> (ip_vs_conn_new + ip_vs_bind_dest); null when no destination.</summary>
    private Connection? NewConnection(ServiceRuntime svc, in ConnKey key, Destination? dest, Connection? template)
    {
        if (dest is null) return null;
        var conn = _connections.Rent(); // a reused entry when one is free: no allocation at a steady rate
        conn.Key = key;
        conn.Dest = dest;
        conn.Service = svc;
        conn.State = key.Protocol == Frames.ProtoUdp ? LvsConnectionState.Udp : LvsConnectionState.None;
        conn.Inactive = true;
        conn.Control = template;
        conn.Forwarding = dest.Forwarding;
        conn.Link = dest.Link;
        conn.RealPort = RealPortFor(svc, dest, key.VirtualPort, template is not null);
        if (template is not null) template.Controlled++;
        dest.InactiveConnections++;
        dest.Statistics.Connections++;
        svc.Statistics.Connections++;
        CheckOverloadOnBind(dest);
        _connections.Add(conn);
        if (Logger.Level >= SchedulingLogLevel) LogScheduled(svc, in key, conn);
        return conn;
    }

    /// <summary>
    /// The port a new connection is sent to. Not persistent (ip_vs_schedule): the destination's port, or when it
    /// is 0 (a fwmark destination given none) the port the client asked for. Persistent (ip_vs_sched_persist): the
    /// destination's port only when the packet came to the service's own port, else the client's: so a port-zero
    /// service, and a persistent fwmark service, keep the destination port of the packet, even with NAT.
    /// </summary>
    private static ushort RealPortFor(ServiceRuntime svc, Destination dest, ushort virtualPort, bool persistent) =>
        dest.Port != 0 && (!persistent || virtualPort == svc.Port) ? dest.Port : virtualPort;

    /// <summary>
    /// ip_vs_sched_persist: the client's template (client address masked with the persistence netmask, port 0)
    /// picks the destination while it is valid; otherwise the scheduler picks one and a template is made.
    /// </summary>
    private Connection? NewPersistentConnection(ServiceRuntime svc, in ConnKey key, in SchedulingContext ctx, long now)
    {
        // Templates live in their own key space (the kernel's template lookup matches only templates), so a client
        // that really uses port 0 never meets its template.
        // fwmark services: <IPPROTO_IP, caddr, 0, fwmark, 0> as ip_vs_sched_persist keys them.
        var tkey = TemplateKey(svc, key);
        var template = _connections.Find(tkey);
        if (template is not null && template.Dest.Removed)
        {
            // ip_vs_check_template: a template whose destination is gone is expired and the client rescheduled.
            _connections.Remove(template);
            UnbindTemplate(template);
            template = null;
        }
        if (template is null)
        {
            var dest = svc.Scheduler.Schedule(svc.Destinations, ctx);
            if (dest is null) return null;
            template = _connections.Rent();
            template.Key = tkey;
            template.Dest = dest;
            template.Service = svc;
            template.State = LvsConnectionState.None;
            template.IsTemplate = true;
            template.TimeoutMs = svc.PersistentTimeout * 1000L;
            dest.PersistentConnections++;
            CheckOverloadOnBind(dest);
            _connections.Add(template);
        }
        // Using a template re-arms its timer with its timeout (ip_vs_conn_put).
        template.ExpiresAtMs = now + template.TimeoutMs;
        return NewConnection(svc, key, template.Dest, template);
    }

    /// <summary>
    /// The key of the template that places <paramref name="key"/>'s client on a persistent service: with the
    /// service's port, so a port-zero service has one template per client (network) and VIP for every port
    /// (&lt;protocol, caddr, 0, vaddr, 0&gt;), as ip_vs_sched_persist makes it.
    /// </summary>
    private static ConnKey TemplateKey(ServiceRuntime svc, in ConnKey key) => svc.FirewallMark != 0
        ? new ConnKey(TemplateKeyBit, key.ClientAddress & svc.PersistenceMask, 0, svc.FirewallMark, 0)
        : new ConnKey(TemplateProtocol(key.Protocol), key.ClientAddress & svc.PersistenceMask, 0, key.VirtualAddress, svc.Port);

    /// <summary>ip_vs_bind_dest: the overload mark re-evaluated (ip_vs_dest_update_overload).</summary>
    private static void CheckOverloadOnBind(Destination d) => d.UpdateOverload();

    /// <summary>ip_vs_unbind_dest: an overloaded destination's mark re-evaluated (ip_vs_dest_update_overload).</summary>
    private static void CheckOverloadOnUnbind(Destination d)
    {
        if (d.Overloaded) d.UpdateOverload();
    }

    /// <summary>
    /// set_sctp_state: the next state by the (state-relevant) chunk type and direction, ActiveConn/InActConn moved
    /// (only ESTABLISHED is active), the timer re-armed with the new state's timeout. A packet without a chunk
    /// header leaves the state alone (its timer is re-armed with the current state's timeout, as ip_vs_conn_put does).
    /// </summary>
    private void UpdateSctpState(Connection conn, ReadOnlySpan<byte> sctp, TcpDirection dir, long now)
    {
        var next = SctpStateTable.TryGetStateChunkType(sctp, out var chunk)
            ? SctpStateTable.Next(conn.State, chunk, dir)
            : conn.State;
        if (next != conn.State) SetState(conn, next, SctpStateTable.IsActive(next));
        conn.ExpiresAtMs = now + SctpStateTable.TimeoutSeconds(next) * 1000L;
    }

    private void SetState(Connection c, LvsConnectionState next) => SetState(c, next, TcpStateTable.IsActive(next));

    private void SetState(Connection c, LvsConnectionState next, bool active)
    {
        if (active && c.Inactive)
        {
            c.Dest.InactiveConnections--;
            c.Dest.ActiveConnections++;
            c.Inactive = false;
        }
        else if (!active && !c.Inactive)
        {
            c.Dest.ActiveConnections--;
            c.Dest.InactiveConnections++;
            c.Inactive = true;
        }
        // set_tcp_state / set_sctp_state: a connection entering ESTABLISHED assures its template.
        if (next == LvsConnectionState.Established && next != c.State) AssureTemplate(c);
        c.State = next;
    }

    /// <summary>ip_vs_control_assure_ct: the persistence template controlling <paramref name="c"/> becomes ASSURED.</summary>
    private static void AssureTemplate(Connection c)
    {
        if (c.Control is { IsTemplate: true } t) t.State = LvsConnectionState.Assured;
    }

    /// <summary>Releases a removed connection from its destination and template.</summary>
    private void Unbind(Connection c)
    {
        if (c.IsTemplate) { UnbindTemplate(c); return; }
        if (c.InReplyIndex)
        {
            _replies.Remove(new ConnKey(c.Key.Protocol, c.Dest.AddressValue, c.RealPort, c.Key.ClientAddress, c.Key.ClientPort));
            c.InReplyIndex = false;
        }
        if (c.Inactive) c.Dest.InactiveConnections--; else c.Dest.ActiveConnections--;
        if (c.Control is not null) c.Control.Controlled--;
        CheckOverloadOnUnbind(c.Dest);
    }

    /// <summary>
    /// Unbinds a connection that was taken out of the table and gives its entry back to the table's free list (a
    /// template is only unbound: connections may still point at it). The one way a removed entry ends.
    /// </summary>
    private void Release(Connection c)
    {
        Unbind(c);
        _connections.Recycle(c);
    }

    private static void UnbindTemplate(Connection t)
    {
        t.Dest.PersistentConnections--;
        CheckOverloadOnUnbind(t.Dest);
    }

    /// <summary>
    /// Timer expiry (ip_vs_conn_expire): a template that still controls connections is re-armed, anything else
    /// leaves the table.
    /// </summary>
    private bool ExpireDue(Connection c, long now)
    {
        if (c.ExpiresAtMs > now) return false;
        if (c.IsTemplate && c.Controlled > 0)
        {
            // ip_vs_conn_expire: a template that still controls connections lives on, with a 60 s timeout from now on.
            c.TimeoutMs = 60_000;
            c.ExpiresAtMs = now + c.TimeoutMs;
            return false;
        }
        return true;
    }
}
