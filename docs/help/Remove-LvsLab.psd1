@{
    Synopsis    = 'Removes an LVS lab: its director, its processes, its network namespaces and its files.'
    Description = @'
Remove-LvsLab stops the lab's director if it runs, stops every process inside the lab's namespaces (nginx, sshd,
the telnet-like service), deletes the namespaces lvs-<name>-* with their interfaces and bridge, deletes the lab's
folder in /var/lib/lvsps/labs, and forgets the director's saved state, log and socket. Nothing of the lab is left
on the machine.

A lab whose saved description is lost can still be removed by name: its namespaces are found by their names.
'@
    Parameters  = @{
        Force   = 'Removes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        Name    = 'The name of the lab to remove.'
        WhatIf  = 'Shows the lab that would be removed, without removing it.'
        Confirm = 'Prompts for confirmation before removing the lab. The impact is High, so PowerShell asks by default; -Force or -Confirm:$false does not ask.'
    }
    Examples    = @(
        @{
            Lab     = 'NewLab: removes a lab (every lab test removes its own)'
            Title   = 'Remove a lab'
            Code    = 'Remove-LvsLab -Name seed -Force'
            Remarks = 'Stops the director "seed" and deletes the lab.'
        }
        @{
            Lab     = 'Host: removes every lab on this machine'
            Title   = 'Remove every lab'
            Code    = 'Get-LvsLab | Remove-LvsLab -Confirm:$false'
            Remarks = 'Each lab binds by its Name property.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A lab name, by the property name Name, for example LvsLab objects from Get-LvsLab.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'This cmdlet returns no output.' }
    )
    Notes       = 'Errors: LabNotFound when neither a saved lab nor any lvs-<name>-* namespace exists, NotRoot.'
    RelatedLinks = @('New-LvsLab', 'Get-LvsLab', 'Stop-LvsDirector', 'about_LvsPS')
}
