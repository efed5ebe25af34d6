@{
    Synopsis    = 'Removes a VRRP instance from a director; a master hands its virtual addresses over first.'
    Description = @'
Remove-LvsVrrpInstance removes VRRP instances from a director. A master sends a last advert with priority 0, so the
backup takes over at once instead of after three advert intervals; then the director stops answering for the
instance's virtual addresses. Removing an instance can leave a service without a director, so the impact is High:
PowerShell asks before each instance unless -Force or -Confirm:$false is given.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsSyncDaemon and Get-LvsVrrpInstance carry it). With -Force (or no confirmation
due) the changes are made once the input is in, the directors at once (-ThrottleLimit), each director's in the
order they came; the output keeps the order the directors came in, progress names each director as it finishes,
and a director that does not answer is one error (naming it, as TargetObject) while the others go on. Without
-Force, with -WhatIf or -Confirm, every record is done at once, one after another, asking as it goes.
'@
    Parameters  = @{
        Name     = 'The instances to remove. Objects from Get-LvsVrrpInstance bind it (and Director) by property name.'
        Force    = 'Removes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        PassThru = 'Returns each instance as it was just before it was removed.'
        ThrottleLimit    = @{ Description = 'How many directors are worked on at once when the input names several and nothing is asked (-Force) (1 to 1024). The default, 32, is Invoke-Command''s. 1 does them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        Director = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf   = 'Shows the instances that would be removed, without removing them.'
        Confirm  = 'Prompts before each instance (the default: the impact is High).'
    }
    Examples    = @(
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Remove one instance without a prompt'; Code = 'Remove-LvsVrrpInstance -Director ha-director1 -Name VI_1 -Force'; Remarks = 'director2 becomes master at once.' }
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Remove every instance of a director'; Code = 'Get-LvsVrrpInstance -Director ha-director2 | Remove-LvsVrrpInstance'; Remarks = 'Asks before each one.' }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'Instances from Get-LvsVrrpInstance bind Name and Director by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'With -PassThru, each removed instance.' }
    )
    Notes       = 'Errors: VrrpInstanceNotFound, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsVrrpInstance', 'Get-LvsVrrpInstance', 'Set-LvsVrrpInstance', 'about_LvsPS')
}
