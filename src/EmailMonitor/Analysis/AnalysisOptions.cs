namespace EmailMonitor.Analysis;

internal sealed class AnalysisOptions
{
    public const string Section = "Analysis";

    /// <summary>Keep remote images and other remote resources in <c>html_content</c>.</summary>
    public bool AllowRemoteContent { get; set; }
}
