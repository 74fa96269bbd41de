namespace EmailMonitor.Analysis;

/// <summary>The flag names of CONTRACT §4 produced so far.</summary>
internal static class SecurityFlags
{
    public const string ScriptRemoved = "script_removed";
    public const string ExternalImages = "external_images";
    public const string MalformedMessage = "malformed_message";
}
