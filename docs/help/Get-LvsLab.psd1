@{
    Synopsis    = 'Gets the LVS labs on this machine.'
    Description = @'
Get-LvsLab returns the labs built by New-LvsLab, read from /var/lib/lvsps/labs, with their nodes, addresses,
namespaces and the paths of their SSH key, known_hosts and hosts files.
'@
    Parameters  = @{
        Name = 'Names of the labs to get. Wildcards are allowed. By default all labs are returned.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'List the labs'
            Code    = 'Get-LvsLab'
            Remarks = 'Shows each lab with its subnet, VIP and nodes.'
        }
        @{
            Lab     = 'Interactive: an interactive ssh login'
            Title   = 'Log in to a lab real server by hand'
            Code    = @'
$lab = Get-LvsLab -Name seed
ip netns exec $lab.Director.Namespace ssh -i $lab.KeyFile -o UserKnownHostsFile=$($lab.KnownHostsFile) root@$($lab.RealServers[0].Address)
'@
            Remarks = 'Uses the lab''s key and known_hosts from the director''s namespace, as Set-LvsRealServerHidden -Lab does.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Lab names, by the property name Name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Lab.LvsLab'; Description = 'One object per lab.' }
    )
    Notes       = 'A name without wildcards that matches no lab gives a LabNotFound error.'
    RelatedLinks = @('New-LvsLab', 'Remove-LvsLab', 'Invoke-LvsLabCommand', 'about_LvsPS')
}
