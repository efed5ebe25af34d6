@{
    Synopsis    = 'Changes the named settings of a VRRP instance; the others keep their values.'
    Description = @'
Set-LvsVrrpInstance changes a VRRP instance in place: only the parameters given change, the rest keeps the value the
director has. Lowering a master's priority below a backup's makes the backup preempt (unless it has nopreempt);
the whole changed instance is checked before anything is sent (InvalidVrrpInstance naming the bad value, also under
-WhatIf), and a refused change leaves the instance as it was.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsService and Get-LvsVrrpInstance carry it) and its own values. The changes are
made once the input is in, the directors at once (-ThrottleLimit), each director's changes in the order they came;
the output keeps the order the directors came in, progress names each director as it finishes, and a director that
does not answer is one error (naming it, as TargetObject) while the others go on. With -WhatIf, -Confirm or a
confirmation due, every record is done at once, one after another, as asked.
'@
    Parameters  = @{
        Name             = 'The instance to change. Objects from Get-LvsVrrpInstance bind it (and Director) by property name.'
        Interface        = 'A new interface.'
        VirtualRouterId  = 'A new virtual router id, 1..255.'
        VirtualAddress   = 'The new list of virtual addresses (it replaces the old one).'
        Priority         = 'A new priority, 1..255.'
        Version          = 'A new VRRP version, 2 or 3.'
        AdvertInterval   = 'A new advert interval in seconds (fractions with version 3).'
        NoPreempt        = 'nopreempt; -NoPreempt:$false turns preemption back on.'
        PreemptDelay     = 'A new preempt_delay in seconds (0..1000).'
        InitialState     = 'A new start state: Backup or Master.'
        UnicastPeer      = 'New unicast peers (an empty list: back to multicast).'
        SourceAddress    = 'A new source address for the adverts.'
        AuthType         = 'A new authentication type (None or Pass, VRRPv2 only). None also drops the password.'
        AuthPassword     = 'A new VRRPv2 password (1..8 characters) as a SecureString.'
        GarpMasterDelay  = 'A new garp_master_delay in seconds.'
        GarpMasterRepeat = 'A new garp_master_repeat.'
        NotifyMaster     = 'A new notify_master command ('''' removes it).'
        NotifyBackup     = 'A new notify_backup command ('''' removes it).'
        NotifyFault      = 'A new notify_fault command ('''' removes it).'
        Notify           = 'A new notify command ('''' removes it).'
        PassThru         = 'Returns the changed instance.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        Director         = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf           = 'Shows the change, without making it. The values are checked first.'
        Confirm          = 'Prompts for confirmation before changing the instance.'
    }
    Examples    = @(
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Hand mastership over'; Code = 'Set-LvsVrrpInstance -Director ha-director1 -Name VI_1 -Priority 50'; Remarks = 'director2 (priority 100) preempts at its next advert interval.' }
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Every instance of a director to a faster interval'; Code = 'Get-LvsVrrpInstance -Director ha-director2 | Set-LvsVrrpInstance -AdvertInterval 0.25'; Remarks = 'The pipeline binds Name and Director.' }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'Instances from Get-LvsVrrpInstance bind Name and Director by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'With -PassThru, the changed instance.' }
    )
    Notes       = 'Errors: VrrpInstanceNotFound, InvalidVrrpInstance, InvalidInterfaceName, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsVrrpInstance', 'Get-LvsVrrpInstance', 'Remove-LvsVrrpInstance', 'about_LvsPS')
}
