using Microsoft.Extensions.Options;

namespace EmailMonitor.Analysis;

internal sealed class AnalysisOptionsValidator : IValidateOptions<AnalysisOptions>
{
    public ValidateOptionsResult Validate(string? name, AnalysisOptions options)
    {
        var failures = new List<string>();
        if (options.MaxAttachmentBytes < 1)
        {
            failures.Add("MAX_ATTACHMENT_SIZE: must be a positive number of bytes");
        }

        var invalid = options.BlockedAttachmentExtensions.FirstOrDefault(e => !BlockedExtensions.IsWellFormed(e));
        if (invalid is not null)
        {
            failures.Add($"BLOCKED_ATTACHMENT_EXTENSIONS: '{invalid}' is not an extension such as .exe or exe");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
