using System.Collections;
using System.Text;
using LvsPS.Management.Config;

namespace LvsPS.Commands;

/// <summary>
/// Writes a director's table (or services from the pipeline) as ipvsadm rules (ipvsadm-save -n), keepalived.conf
/// virtual_server blocks, an LVS-HOWTO lvs_dr.conf or the rc.lvs_dr script that sets up director and real servers.
/// Without -Path the text goes to the pipeline; with -Path it is written to the file (-WhatIf, -Confirm, -NoClobber,
/// -Force) and the file is returned.
/// </summary>
[Cmdlet(VerbsData.Export, "LvsConfiguration", DefaultParameterSetName = DirectorSet, SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Export-LvsConfiguration.md")]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportLvsConfigurationCommand : LvsCmdlet
{
    private const string DirectorSet = "Director";
    private const string InputSet = "InputObject";

    public const string FormatIpvsadmRules = "IpvsadmRules";
    public const string FormatKeepalived = "Keepalived";
    public const string FormatLvsDrConf = "LvsDrConf";
    public const string FormatRcLvsDr = "RcLvsDr";

    /// <summary>The ErrorId when -NoClobber meets an existing file.</summary>
    public const string FileExistsErrorId = LvsErrorIds.ConfigFileExists;
    /// <summary>The ErrorId when the file cannot be written.</summary>
    public const string WriteFailedErrorId = LvsErrorIds.ConfigFileWriteFailed;

    #region Parameters

    /// <summary>The director whose table is exported (default: the only one running, or this session's last started).</summary>
    [Parameter(ParameterSetName = DirectorSet)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    /// <summary>Services to export instead of a director's table (Get-LvsService output, or imported definitions).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    [LvsServiceTransformation]
    [ValidateNotNull]
    public LvsService[] InputObject { get; set; } = Array.Empty<LvsService>();

    /// <summary>IpvsadmRules, Keepalived, LvsDrConf or RcLvsDr.</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet(FormatIpvsadmRules, FormatKeepalived, FormatLvsDrConf, FormatRcLvsDr, IgnoreCase = true)]
    public string Format { get; set; } = FormatIpvsadmRules;

    /// <summary>The file to write; without it the text is written to the pipeline.</summary>
    [Parameter(Position = 0)]
    [Alias("FilePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Overwrite a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Do not overwrite an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>LvsDrConf: the director's address for DIRECTOR_INSIDEIP (default: the director's interface address).</summary>
    [Parameter]
    public IPAddress? DirectorAddress { get; set; }

    /// <summary>LvsDrConf: the VIP= device; RcLvsDr: the director interface (optionally with a label) to put the VIP on.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VipDevice { get; set; }

    /// <summary>Where the real servers hold the VIP (SERVER_VIP_DEVICE; default lo).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerVipDevice { get; set; }

    /// <summary>The real servers' network interface (SERVER_NET_DEVICE).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerNetDevice { get; set; }

    /// <summary>
    /// IpvsadmRules: also write the real servers' connection thresholds (-x, -y), which ipvsadm -S leaves out; by
    /// default the text is what ipvsadm -S -n prints, byte for byte.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeThresholds { get; set; }

    #endregion

    private readonly List<LvsService> _input = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputSet)
            _input.AddRange(InputObject.Where(s => s is not null));
    }

    protected override void EndProcessing()
    {
        var options = new ConfigurationWriterOptions
        {
            DirectorAddress = DirectorAddress,
            VipDevice = VipDevice,
            ServerVipDevice = ServerVipDevice,
            ServerNetDevice = ServerNetDevice,
        };
        List<LvsService> services;
        string source;
        if (ParameterSetName == InputSet)
        {
            services = _input;
            source = "pipeline input";
        }
        else
        {
            var client = ConnectDirector(Director);
            services = Read(client, ListServices);
            if (Read(client, c => c.GetStatus()) is { } status)
            {
                options.DirectorAddress ??= status.InterfaceAddress;
                if (!string.IsNullOrEmpty(status.Interface))
                    options.DirectorDevice = status.Interface;
            }
            source = $"director '{client.Name}'";
        }
        // What is configured, not the moment: configured weights, real servers a failed check took out, no sorry server.
        services = ConfigurationWriter.AsConfigured(services);
        options.Comment = $"from {source}, {services.Count} service{(services.Count == 1 ? "" : "s")}";

        string text;
        try
        {
            text = Format.ToLowerInvariant() switch
            {
                "keepalived" => ConfigurationWriter.WriteKeepalived(services, options),
                "lvsdrconf" => ConfigurationWriter.WriteLvsDrConf(services, options),
                "rclvsdr" => ConfigurationWriter.WriteRcLvsDr(services, options),
                _ => ConfigurationWriter.WriteIpvsadmRules(services, IncludeThresholds),
            };
        }
        catch (LvsException e) { ThrowLvsError(e, Format); return; }

        if (Path is null)
        {
            WriteObject(text);
            return;
        }

        string path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, $"Write {services.Count} LVS service{(services.Count == 1 ? "" : "s")} as {Format}"))
            return;
        try
        {
            var file = new FileInfo(path);
            if (file.Exists)
            {
                if (NoClobber)
                    throw new LvsException(FileExistsErrorId, LvsErrorKind.ResourceExists,
                        $"The file '{path}' already exists and -NoClobber was given.", path);
                if (file.IsReadOnly)
                {
                    if (!Force)
                        throw new LvsException(WriteFailedErrorId, LvsErrorKind.PermissionDenied,
                            $"The file '{path}' is read-only; use -Force to overwrite it.", path);
                    file.IsReadOnly = false;
                }
            }
            File.WriteAllText(path, text, new UTF8Encoding(false));
            if (string.Equals(Format, FormatRcLvsDr, StringComparison.OrdinalIgnoreCase) && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                           | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                                           | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            file.Refresh();
            WriteObject(file);
        }
        catch (LvsException e) { WriteLvsError(e, path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteLvsError(new LvsException(WriteFailedErrorId,
                e is UnauthorizedAccessException ? LvsErrorKind.PermissionDenied : LvsErrorKind.InvalidOperation,
                $"Cannot write '{path}': {e.Message}", path, e), path);
        }
    }
}

/// <summary>
/// Lets service definitions (Import-LvsConfiguration output) stand for services: each becomes the service the
/// director would list after loading it (<see cref="LvsServiceDefinition.ToLvsService"/>).
/// </summary>
internal sealed class LvsServiceTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        static object? One(object? o) => (o is PSObject ps ? ps.BaseObject : o) is LvsServiceDefinition d ? d.ToLvsService() : o;

        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is IList list)
        {
            var result = new object?[list.Count];
            for (int i = 0; i < list.Count; i++)
                result[i] = One(list[i]);
            return result;
        }
        return One(inputData);
    }
}
