// DirectorEngine, packet path: ARP. Answers who-has for the virtual addresses, learns the real servers' MACs from
// their ARP, and sends the director's own requests (real servers' MACs) and gratuitous ARP (new VIPs).

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private void ProcessArp(Span<byte> frame, int link)
    {
        if (frame.Length < Frames.EthHeader + Frames.ArpLength) return;
        var a = frame.Slice(Frames.EthHeader);
        if (Frames.U16(a, 0) != 1 || Frames.U16(a, 2) != Frames.EtherTypeIPv4 || a[4] != 6 || a[5] != 4) return;
        ushort op = Frames.U16(a, 6);
        uint senderIp = Frames.U32(a, 14);
        uint targetIp = Frames.U32(a, 24);

        // Learn real servers' MACs from any ARP they send (reply to our request, or their own requests).
        if (senderIp != 0) LearnMac(senderIp, a.Slice(8, 6));

        if (link == 0 && op == 1 && IsVip(targetIp) && senderIp != targetIp)
        {
            // who-has VIP: answer with the director's MAC.
            Span<byte> senderMac = stackalloc byte[6];
            a.Slice(8, 6).CopyTo(senderMac);
            int n = Frames.BuildArp(_scratch, 2, senderMac, _mac, targetIp, senderMac, senderIp);
            _sink.Send(_scratch.AsSpan(0, n));
            ArpRepliesSent++;
        }
    }

    private void LearnMac(uint ip, ReadOnlySpan<byte> mac)
    {
        foreach (var s in _serviceOrder)
            foreach (var d in s.Destinations)
                if (d.AddressValue == ip)
                {
                    if (d.Mac is null || !mac.SequenceEqual(d.Mac)) d.Mac = mac.ToArray();
                }
    }

    private void SendArpRequest(uint target, int link)
    {
        int n = Frames.BuildArp(_scratch, 1, Frames.Broadcast, MacOf(link), AddressOf(link), Frames.ZeroMac, target);
        SinkOf(link).Send(_scratch.AsSpan(0, n));
    }

    private void SendGratuitousArp(uint vip)
    {
        int n = Frames.BuildArp(_scratch, 1, Frames.Broadcast, _mac, vip, Frames.ZeroMac, vip);
        _sink.Send(_scratch.AsSpan(0, n));
    }
}
