using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation.Host;
using System.Security;

namespace LvsPS.Cmdlets.Tests.Hosting;

/// <summary>
/// A PowerShell host that records what cmdlets write to it: -WhatIf messages ("What if: ..."), Write-Host text
/// and ShouldProcess/ShouldContinue prompts, which it answers with <see cref="ConfirmAnswer"/> (default: No).
/// </summary>
public sealed class TestHost : PSHost
{
    private readonly TestHostUserInterface _ui = new();

    public override string Name => "LvsPS.Cmdlets.Tests";
    public override Version Version { get; } = new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>Every line written to the host, in order.</summary>
    public IReadOnlyList<string> Lines => _ui.Lines;

    /// <summary>The "What if: ..." lines.</summary>
    public IReadOnlyList<string> WhatIf => _ui.Lines.Where(l => l.StartsWith("What if:", StringComparison.Ordinal)).ToList();

    /// <summary>The confirmation prompts shown (caption and message).</summary>
    public IReadOnlyList<(string Caption, string Message)> Prompts => _ui.Prompts;

    /// <summary>The answer given to a confirmation prompt: the label of a choice ("&amp;Yes", "&amp;No" ...), matched without '&amp;'.</summary>
    public string ConfirmAnswer { get => _ui.Answer; set => _ui.Answer = value; }

    public void Clear() => _ui.Clear();

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class TestHostUserInterface : PSHostUserInterface
    {
        private readonly List<string> _lines = new();
        private readonly List<(string, string)> _prompts = new();
        private readonly System.Text.StringBuilder _partial = new();
        private readonly TestRawUserInterface _raw = new();

        public string Answer { get; set; } = "No";
        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
        public IReadOnlyList<(string, string)> Prompts { get { lock (_lines) return _prompts.ToList(); } }

        public void Clear()
        {
            lock (_lines) { _lines.Clear(); _prompts.Clear(); _partial.Clear(); }
        }

        public override PSHostRawUserInterface RawUI => _raw;

        private void Add(string text)
        {
            lock (_lines)
            {
                _partial.Append(text);
                var all = _partial.ToString();
                var parts = all.Split('\n');
                for (int i = 0; i < parts.Length - 1; i++) _lines.Add(parts[i].TrimEnd('\r'));
                _partial.Clear().Append(parts[^1]);
            }
        }

        public override void Write(string value) => Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
        public override void WriteLine(string value) => Add(value + "\n");
        public override void WriteErrorLine(string value) => Add(value + "\n");
        public override void WriteDebugLine(string message) => Add("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Add("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Add("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_lines) _prompts.Add((caption, message));
            for (int i = 0; i < choices.Count; i++)
                if (string.Equals(choices[i].Label.Replace("&", ""), Answer, StringComparison.OrdinalIgnoreCase))
                    return i;
            throw new InvalidOperationException($"The test host has no answer '{Answer}' among {string.Join(", ", choices.Select(c => c.Label))}.");
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("The test host does not prompt for values: " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException("The test host does not prompt for credentials.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException("The test host does not prompt for credentials.");
        public override string ReadLine() => throw new NotSupportedException("The test host has no input.");
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The test host has no input.");
    }

    private sealed class TestRawUserInterface : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get; set; } = new(200, 1000);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override Size MaxPhysicalWindowSize => new(200, 1000);
        public override Size MaxWindowSize => new(200, 1000);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(200, 1000);
        public override string WindowTitle { get; set; } = "";
        public override bool KeyAvailable => false;
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
