using System.Runtime.CompilerServices;
using System.Text;

namespace EmailMonitor.Analysis;

internal static class Charsets
{
    /// <summary>
    /// .NET knows only Unicode and a few Western charsets by itself; mail arrives in Shift_JIS,
    /// ISO-2022-JP, GB18030, Big5, KOI8-R, Windows-125x and more. This must happen before MimeKit
    /// is first used: MimeKit probes the East Asian code pages once, when it initialises, and
    /// treats them as unknown for the rest of the process if they were missing then. (AngleSharp
    /// and SharpCompress register them as a side effect; the service does not rely on that.)
    /// </summary>
    [ModuleInitializer]
    internal static void RegisterCodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
