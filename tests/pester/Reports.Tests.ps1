#Requires -Version 7.4
# Test-LvsCluster's reports and the shipped validation suites against a real lab (engine director, two real
# servers, a wrr service): the HTML page from a real run rendered by headless Chromium (file:// only, its own
# profile, no network, bounded), JUnit and NUnit XML that parse with counts that match the run, the report path
# refused with a stable ErrorId, and the OVF suites run through Pester directly and through Invoke-LvsClusterValidation.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'chkrep'; Network = '10.163'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    $script:Root = Split-Path -Parent $PSScriptRoot | Split-Path -Parent
    $script:Work = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "lvsps-reports-$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler wrr | Out-Null
    $w = 2
    foreach ($rs in $TestLab.RealServers.Values | Sort-Object) {
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs -Weight $w | Out-Null
        $w = 1
    }
    # One real run for the HTML tests; its results came down the pipeline too.
    $script:HtmlPath = Join-Path $Work 'report.html'
    $script:Results = @(Test-LvsCluster -Lab $LabName -ReportPath $HtmlPath)
    $script:TrafficChecks = @(Test-LvsCluster -List | Where-Object SendsTraffic | ForEach-Object Check)

    # A PNG reader (no System.Drawing on Linux): the IHDR size, the IDAT stream inflated and unfiltered.
    Add-Type -TypeDefinition @'
using System; using System.IO; using System.IO.Compression; using System.Collections.Generic;
public static class LvsTestPng {
    public static int[] Read(string path, out int width, out int height) {
        var b = File.ReadAllBytes(path);
        byte[] sig = { 137, 80, 78, 71, 13, 10, 26, 10 };
        for (int i = 0; i < 8; i++) if (b[i] != sig[i]) throw new InvalidDataException("not a PNG");
        int p = 8; width = height = 0; int bpp = 0; var idat = new MemoryStream();
        while (p < b.Length) {
            int len = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
            string type = System.Text.Encoding.ASCII.GetString(b, p + 4, 4);
            if (type == "IHDR") {
                width = (b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11];
                height = (b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15];
                if (b[p + 16] != 8) throw new InvalidDataException("bit depth " + b[p + 16]);
                bpp = b[p + 17] switch { 2 => 3, 6 => 4, 0 => 1, 4 => 2, _ => throw new InvalidDataException("colour type " + b[p + 17]) };
            }
            if (type == "IDAT") idat.Write(b, p + 8, len);
            if (type == "IEND") break;
            p += 12 + len;
        }
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        var d = raw.ToArray(); int stride = width * bpp;
        var img = new byte[height * stride]; var pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            int f = d[y * (stride + 1)], src = y * (stride + 1) + 1, row = y * stride;
            for (int x = 0; x < stride; x++) {
                int a = x >= bpp ? img[row + x - bpp] : 0, up = y > 0 ? img[row - stride + x] : 0, c = (x >= bpp && y > 0) ? img[row - stride + x - bpp] : 0;
                int v = d[src + x];
                int pr = f switch { 0 => 0, 1 => a, 2 => up, 3 => (a + up) / 2, 4 => Paeth(a, up, c), _ => throw new InvalidDataException("filter " + f) };
                img[row + x] = (byte)(v + pr);
            }
            for (int x = 0; x < width; x++) {
                int o = row + x * bpp;
                pixels[y * width + x] = bpp >= 3 ? (img[o] << 16) | (img[o + 1] << 8) | img[o + 2] : img[o] * 0x010101;
            }
        }
        return pixels;
    }
    static int Paeth(int a, int b, int c) { int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c); return pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
}
'@

    # Headless Chromium on a file:// page: its own profile and HOME under $Work, no network services, killed
    # (this process and its children only) if it does not finish within the bound.
    function script:Invoke-Chromium([string[]]$Arguments, [int]$Seconds = 60) {
        $profile = Join-Path $Work 'chromium'
        New-Item -ItemType Directory -Force -Path $profile | Out-Null
        $psi = [Diagnostics.ProcessStartInfo]::new('chromium')
        foreach ($a in @('--headless', '--no-sandbox', '--disable-gpu', "--user-data-dir=$profile", '--no-first-run',
                '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--disable-extensions', '--disable-default-apps', '--disable-breakpad',
                '--disable-domain-reliability', '--no-pings', '--disable-dev-shm-usage', '--enable-logging=stderr', '--allow-file-access-from-files', '--host-resolver-rules=MAP * ~NOTFOUND',
                '--window-size=1280,1600') + $Arguments) { $psi.ArgumentList.Add($a) }
        foreach ($v in 'HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME') { $psi.Environment[$v] = $profile }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        $p = [Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit($Seconds * 1000)) { $p.Kill($true); throw "chromium did not finish within $Seconds s" }
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out.Result; Err = $err.Result }
    }
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
    if ($script:Work) { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $script:Work }
}

Describe 'HTML report of a real run' {
    It 'writes the page and still returns the results' {
        $Results.Count | Should -BeGreaterThan 8
        $Results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
        $html = Get-Content -Raw $HtmlPath
        foreach ($k in 'Passed', 'Warning', 'Failed', 'NotApplicable') {
            $html | Should -Match ([regex]::Escape("id=`"count-$k`">$(@($Results | Where-Object { "$($_.Result)" -eq $k }).Count)<"))
        }
        $html | Should -Match ([regex]::Escape("<dd id=`"lab`">$LabName</dd>"))
        # nothing fetched from outside: no script, no stylesheet link, no src/href/url() to another place (a check's
        # message may name a real server's URL as text; that is escaped content, not an asset)
        $html | Should -Not -Match '(?i)<script|<link|(src|href)\s*=\s*["'']?(https?:|//)|url\(\s*["'']?(https?:|//)'
    }

    It 'renders in headless Chromium: a screenshot that is not blank, and the DOM with the counts, rows and charts' {
        $png = Join-Path $Work 'report.png'
        $page = Join-Path (New-Item -ItemType Directory -Force -Path (Join-Path $Work 'page')).FullName 'report.html'
        Copy-Item -LiteralPath $HtmlPath -Destination $page
        $url = "file://$page"
        $shot = Invoke-Chromium @("--screenshot=$png", $url)
        $png | Should -Exist -Because "chromium exited $($shot.ExitCode): $($shot.Out) $($shot.Err)"
        $width = 0; $height = 0
        $pixels = [LvsTestPng]::Read($png, [ref]$width, [ref]$height)
        ($width, $height) | Should -Be (1280, 1600)
        $colours = @{}
        $background = 0
        for ($i = 0; $i -lt $pixels.Length; $i += 97) { $colours[$pixels[$i]] = 1; if ($pixels[$i] -eq 0xFFFFFF) { $background++ } }
        $colours.Count | Should -BeGreaterThan 16
        ($background / [math]::Ceiling($pixels.Length / 97)) | Should -BeLessThan 0.97

        $dom = (Invoke-Chromium @('--dump-dom', $url)).Out
        # Chromium serialises the DOM it built as HTML: read it with patterns, not as XML.
        $dom | Should -Match '<section id="summary">'
        foreach ($k in 'Passed', 'Warning', 'Failed', 'NotApplicable') {
            $dom | Should -Match ([regex]::Escape("id=`"count-$k`">$(@($Results | Where-Object { "$($_.Result)" -eq $k }).Count)<"))
        }
        $dom | Should -Match ([regex]::Escape("id=`"count-Total`">$($Results.Count)<"))
        $problems = @($Results | Where-Object { "$($_.Result)" -in 'Failed', 'Warning' }).Count
        ([regex]::Matches($dom, '<tr class="result ')).Count | Should -Be ($Results.Count + $problems)
        foreach ($r in $Results) { $dom | Should -Match ([regex]::Escape("<td class=`"check`">$($r.Check)</td>")) }
        # A chart per traffic result that measured a distribution; none measured says so on the page.
        $measured = @($Results | Where-Object { $_.Distribution })
        ([regex]::Matches($dom, '<svg ')).Count | Should -Be $measured.Count
        if ($measured.Count -eq 0) { $dom | Should -Match 'No traffic check ran with a distribution' }
    }

    It 'draws the real run''s ServiceDistribution: one bar pair per real server with the result''s counts and shares' {
        $dist = @($Results | Where-Object Check -EQ ServiceDistribution)
        $dist.Count | Should -Be 1
        $d = $dist[0]
        # Real traffic: 20 requests per real server through the wrr 2/1 service, all attributed.
        $d.Distribution.Count | Should -Be 2
        ($d.Distribution | Measure-Object Observed -Sum).Sum | Should -Be 40
        ($d.Distribution | Sort-Object Weight).ExpectedShare | ForEach-Object { [math]::Round($_, 4) } | Should -Be @(0.3333, 0.6667)
        $html = Get-Content -Raw $HtmlPath
        $figures = [regex]::Matches($html, '(?s)<figure class="chart[^"]*"><figcaption>(?<cap>[^<]*)</figcaption>\s*(?<svg><svg .*?</svg>)')
        $figures.Count | Should -Be 1
        $figures[0].Groups['cap'].Value | Should -Be "$($d.Target) — ServiceDistribution: $($d.Result), 40 requests"
        [xml]$svg = $figures[0].Groups['svg'].Value
        $ns = [System.Xml.XmlNamespaceManager]::new($svg.NameTable); $ns.AddNamespace('s', 'http://www.w3.org/2000/svg')
        $rows = @($svg.SelectNodes('//s:g[@class="rs"]', $ns))
        $rows.Count | Should -Be $d.Distribution.Count
        $pct = { param($share) ($share * 100).ToString('0.#', [cultureinfo]::InvariantCulture) + '%' }
        $barsFull = 380
        for ($i = 0; $i -lt $rows.Count; $i++) {
            $s = $d.Distribution[$i]
            $texts = @($rows[$i].SelectNodes('s:text', $ns))
            $texts[0].InnerText | Should -Be "$($s.RealServer) (w $($s.Weight))"
            $texts[1].InnerText | Should -Be "$($s.Observed) = $(& $pct $s.ObservedShare) (promised $(& $pct $s.ExpectedShare))"
            $s.ObservedShare | Should -Be ($s.Observed / 40)
            $obs = [double]$rows[$i].SelectSingleNode('s:rect[@class="observed"]', $ns).GetAttribute('width')
            $exp = [double]$rows[$i].SelectSingleNode('s:rect[@class="expected"]', $ns).GetAttribute('width')
            $obs | Should -BeLessOrEqual $barsFull
            $exp | Should -BeLessOrEqual $barsFull
            # the bars are to scale: their lengths stand as the observed share to the promised one
            ($obs / $exp) | Should -BeGreaterThan ($s.ObservedShare / $s.ExpectedShare - 0.01)
            ($obs / $exp) | Should -BeLessThan ($s.ObservedShare / $s.ExpectedShare + 0.01)
        }
        # the real servers' pages: each real server's count in the chart is what its pages counted in the result
        ($rows | ForEach-Object { @($_.SelectNodes('s:text', $ns))[0].InnerText -replace ' \(w \d+\)$' }) | Should -Be @($d.Distribution.RealServer)
        $d.Message | Should -Match 'by the pages they served'
    }
}

Describe 'CI reports' {
    It 'writes JUnit and NUnit XML whose counts match the run' {
        $junit = Join-Path $Work 'results.xml'
        $nunit = Join-Path $Work 'results.nunit.xml'
        $r = @(Test-LvsCluster -Lab $LabName -Exclude Network -ReportPath $junit)
        Test-LvsCluster -Lab $LabName -Exclude Network -ReportPath $nunit -ReportFormat NUnit -Quiet | Should -BeTrue
        $failed = @($r | Where-Object Result -eq 'Failed').Count
        $skipped = @($r | Where-Object Result -eq 'NotApplicable').Count
        [xml]$j = Get-Content -Raw $junit
        $j.testsuites.tests | Should -Be "$($r.Count)"
        $j.testsuites.failures | Should -Be "$failed"
        $j.testsuites.skipped | Should -Be "$skipped"
        @($j.testsuites.testsuite.testcase).Count | Should -Be $r.Count
        @($j.testsuites.testsuite.name) | Should -Be @($r.Category | Select-Object -Unique)
        [xml]$n = Get-Content -Raw $nunit
        $n.'test-run'.total | Should -Be "$($r.Count)"
        @($n.SelectNodes('//test-case')).Count | Should -Be $r.Count
        @($n.SelectNodes("//test-case[@result='Skipped']")).Count | Should -Be $skipped
    }

    It 'refuses a folder, a missing parent and, with -NoClobber, an existing file, naming the path' {
        { Test-LvsCluster -Lab $LabName -ReportPath $Work } | Should -Throw -ErrorId 'ReportPathInvalid,LvsPS.Commands.TestLvsClusterCommand' -ExpectedMessage "*$Work*"
        $missing = Join-Path $Work 'nope/r.html'
        { Test-LvsCluster -Lab $LabName -ReportPath $missing } | Should -Throw -ErrorId 'ReportPathInvalid,*' -ExpectedMessage "*$(Join-Path $Work 'nope')*"
        { Test-LvsCluster -Lab $LabName -ReportPath $HtmlPath -NoClobber } | Should -Throw -ErrorId 'ReportFileExists,*'
        { Test-LvsCluster -Lab $LabName -ReportPath (Join-Path $Work 'r.txt') } | Should -Throw -ErrorId 'ReportFormatUnknown,*'
    }
}

Describe 'Shipped validation suites (OVF layout)' {
    It 'runs Diagnostics/Simple as OVF finds it, without the traffic checks' {
        $files = @(Get-ChildItem (Join-Path $Root 'Diagnostics/Simple') -Filter *.Tests.ps1)
        $files.Count | Should -Be 1
        $cfg = New-PesterConfiguration
        $cfg.Run.Container = New-PesterContainer -Path $files.FullName -Data @{ Lab = $LabName }
        $cfg.Run.PassThru = $true
        $cfg.Output.Verbosity = 'None'
        $run = Invoke-Pester -Configuration $cfg
        $expected = @(Test-LvsCluster -Lab $LabName -Exclude $TrafficChecks)
        $run.TotalCount | Should -Be $expected.Count
        $run.FailedCount | Should -Be 0
        @($run.Tests.ExpandedName | Where-Object { $_ -match 'DirectorRunning' }).Count | Should -Be 1
        $run.Tests.ExpandedName | Where-Object { $n = $_; $TrafficChecks | Where-Object { $n -match $_ } } | Should -BeNullOrEmpty
    }

    It 'runs Comprehensive through Invoke-LvsClusterValidation, NUnit XML counts matching the result' {
        $xml = Join-Path $Work 'validation.xml'
        $v = Invoke-LvsClusterValidation -Type Comprehensive -Lab $LabName -OutputPath $xml
        $v.GetType().Name | Should -Be 'LvsValidationResult'
        $v.FailedCount | Should -Be 0
        $v.TotalCount | Should -BeGreaterThan 8
        $v.PesterResult.Tests.ExpandedName | Where-Object { $_ -match 'ServiceDistribution' } | Should -Not -BeNullOrEmpty
        [xml]$n = Get-Content -Raw $xml
        $n.'test-run'.total | Should -Be "$($v.TotalCount)"
        $n.'test-run'.passed | Should -Be "$($v.PassedCount)"
        $n.'test-run'.skipped | Should -Be "$($v.SkippedCount)"
        # Our own NUnit writer uses the elements and attributes Pester's NUnit 3 output has (the reference).
        $ours = Join-Path $Work 'ours.xml'
        Test-LvsCluster -Lab $LabName -Exclude Network -ReportPath $ours -ReportFormat NUnit -Quiet | Out-Null
        [xml]$o = Get-Content -Raw $ours
        foreach ($x in '/test-run', "//test-suite[@type='Assembly']", "//test-suite[@type='TestFixture']", '//test-case') {
            $theirs = @($n.SelectSingleNode($x).Attributes.Name | Where-Object { $_ -notin 'random-seed', 'site', 'seed', 'label' })
            $mine = @($o.SelectSingleNode($x).Attributes.Name)
            $theirs | Where-Object { $_ -notin $mine } | Should -BeNullOrEmpty -Because "$x in Pester's output has them"
        }
    }

    It 'says PesterNotFound when no Pester 5 is loaded or on PSModulePath' {
        $dotnet = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
        $script = "`$env:PSModulePath = Join-Path $PSHOME 'Modules'; Import-Module '$(Join-Path $Root 'LvsPS.psd1')'; try { Invoke-LvsClusterValidation -Lab '$LabName' } catch { `$_.FullyQualifiedErrorId }"
        Push-Location $Root
        try { $out = & $dotnet pwsh -NoLogo -NoProfile -Command $script } finally { Pop-Location }
        "$out" | Should -BeLike 'PesterNotFound,*'
    }
}
