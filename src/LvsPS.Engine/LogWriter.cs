namespace LvsPS.Engine;

/// <summary>
/// How the rooms of lvsd (data path, control, VRRP, health, sync, host) write to the director's log: each call names
/// its room and its severity, so nothing is guessed from the message's words. lvsd binds it to
/// <see cref="Host.DirectorLog.Record"/>; tests bind it to a list.
/// </summary>
public delegate void LogWriter(LvsLogSource source, LvsLogSeverity severity, string message);
