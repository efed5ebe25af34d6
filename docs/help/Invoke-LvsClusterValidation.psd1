@{
    Synopsis    = 'Runs the shipped Pester validation suite (Simple or Comprehensive) against a lab or director.'
    Description = @'
Invoke-LvsClusterValidation runs the Pester suite LvsPS ships in the Operation Validation Framework's layout
(Diagnostics/Simple and Diagnostics/Comprehensive beside LvsPS.psd1, which Get-OperationValidation -ModuleName LvsPS
finds too) against a lab or a director, with Pester 5 or later: the Pester already loaded, else the newest on
PSModulePath. The target parameters reach the suite through New-PesterContainer -Data; the suite runs
Test-LvsCluster and turns each result into a test (Failed fails it, NotApplicable skips it).

Simple runs every check that sends no traffic through the VIP; Comprehensive runs every check, the traffic and ARP
probes included. -OutputPath writes Pester's NUnit 3 XML for a CI server. The cmdlet returns one summary with the
counts and Pester's own result object (PesterResult).

A C# cmdlet drives Pester, a PowerShell module, with a short script in the caller's session; the checks stay in
Test-LvsCluster.
'@
    Parameters  = @{
        Type               = @{ Description = 'Simple (the checks without traffic) or Comprehensive (every check).'; DefaultValue = 'Simple' }
        Lab                = 'Validate this lab (the suite runs Test-LvsCluster -Lab).'
        Director           = 'Validate this director (outside a lab). By default the only one running.'
        KeyFile            = 'With -Director: the OpenSSH private key to log in to the real servers (and -ClientComputerName) as root.'
        KnownHostsFile     = 'With -Director: the known_hosts file for those hosts'' keys. By default ~/.ssh/known_hosts.'
        ClientComputerName = 'With -Director: a client host, over SSH, that sends the traffic and ARP probes (Comprehensive).'
        Include            = 'Only these checks or categories (as Test-LvsCluster -Include).'
        Exclude            = 'Skip these checks or categories (as Test-LvsCluster -Exclude); Simple adds the checks that send traffic.'
        OutputPath         = 'Write Pester''s NUnit 3 XML result to this file (replaced if it exists). A folder or a missing parent folder is refused (ReportPathInvalid).'
    }
    Examples    = @(
        @{
            Lab     = 'Pester: runs Pester itself (ModuleConventions and Reports.Tests.ps1 cover the suites)'
            Title   = 'A quick check of a lab'
            Code    = 'Invoke-LvsClusterValidation -Lab seed'
            Remarks = 'The Simple suite: one line with the passed, failed and skipped counts.'
        }
        @{
            Lab     = 'Remote: a production director lvs1, a client client1 and your key'
            Title   = 'Everything, with a result file for CI'
            Code    = 'Invoke-LvsClusterValidation Comprehensive -Director lvs1 -KeyFile ~/.ssh/id_ed25519 -ClientComputerName client1 -OutputPath ./lvs-validation.xml'
            Remarks = 'Every check of a production director; NUnit 3 XML for the CI server; $r.PesterResult.Failed lists what failed.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with a Lab or Director property bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Commands.LvsValidationResult'; Description = 'Type, Target, Result, TotalCount, PassedCount, FailedCount, SkippedCount, Duration, OutputPath, PesterResult.' }
    )
    Notes       = @'
Errors: PesterNotFound (no Pester 5 or later loaded or on PSModulePath), ValidationSuiteNotFound (the module's
Diagnostics folder lacks the suite), ReportPathInvalid (-OutputPath), UnknownClusterCheck (from the suite's
Test-LvsCluster).
'@
    RelatedLinks = @('Test-LvsCluster', 'about_LvsPS')
}
