namespace EmailMonitor.Plugins;

/// <summary>
/// A judge's verdict. <see cref="Flags"/> must be security flag names the service knows (CONTRACT
/// §4: <c>suspicious_link</c>, <c>sender_spoofing</c>, …); each new one adds its weight to the score
/// as the built-in ones do, and an unknown name is ignored with a warning. <see cref="Tags"/> follow
/// the rules' tag syntax (1–64 letters, digits and <c>. _ - : /</c>). <see cref="ScoreChange"/> is
/// added after the flags' weights; the score stays within 0–100.
/// </summary>
public sealed record Judgement
{
    /// <summary>Leaves the email as it is.</summary>
    public static Judgement None { get; } = new();

    /// <summary>Security flags to add.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>Tags to add.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Points to add to the risk score (negative lowers it), −100 to 100.</summary>
    public int ScoreChange { get; init; }
}
