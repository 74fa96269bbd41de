namespace EmailMonitor.Mail;

internal enum FolderState
{
    Starting,
    Connecting,
    Watching,
    Reconnecting,

    /// <summary>The server refused the login (a wrong password, a revoked grant); retried with a growing delay.</summary>
    AuthFailed,

    /// <summary>An administrator paused the mailbox.</summary>
    Paused,

    /// <summary>Another instance holds the mailbox's lease and watches it (or none does yet).</summary>
    Elsewhere,
    Stopped,
}

internal static class FolderStateNames
{
    /// <summary>The state as the API, health and metrics name it: watching, auth_failed, paused …</summary>
    public static string Name(this FolderState state) => state switch
    {
        FolderState.AuthFailed => "auth_failed",
        _ => state.ToString().ToLowerInvariant(),
    };
}
