using System.Runtime.CompilerServices;
using System.Text;

namespace EmailMonitor.Tests.Support;

internal static class Charsets
{
    /// <summary>
    /// Tests build messages with MimeKit before the service's assembly may have loaded, so they
    /// register the code pages themselves, as the service does (see its <c>Analysis/Charsets.cs</c>).
    /// </summary>
    [ModuleInitializer]
    internal static void RegisterCodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
