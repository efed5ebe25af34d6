namespace LvsPS.Management.Text;

/// <summary>Pieces of the ipvsadm -L -n layout for PowerShell's default view (header once, one block per service).</summary>
public static class IpvsadmView
{
    private const int TitleLines = 3;

    /// <summary>The three title lines of ipvsadm -L -n for a table of <paramref name="tableSize"/>.</summary>
    public static string Header(int tableSize) =>
        string.Join('\n', IpvsadmFormatter.FormatList(Array.Empty<LvsService>(), tableSize).TrimEnd('\n').Split('\n').Take(TitleLines));

    /// <summary>The service line and its real-server lines, exactly as ipvsadm -L -n prints them.</summary>
    public static string Entry(LvsService service) =>
        string.Join('\n', IpvsadmFormatter.FormatList(new[] { service }, service.TableSize).TrimEnd('\n').Split('\n').Skip(TitleLines));
}
