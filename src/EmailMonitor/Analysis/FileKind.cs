namespace EmailMonitor.Analysis;

/// <summary>What an attachment's bytes are, whatever its name or declared type says.</summary>
internal enum FileKind
{
    Empty,
    Unknown,
    Text,
    WindowsExecutable,
    LinuxExecutable,
    MacExecutable,
    Script,
    Pdf,
    Zip,
    OfficeOpenXml,
    Ole2,
    Rar,
    SevenZip,
    Gzip,
    DiskImage,
    Png,
    Jpeg,
    Gif,
    Bmp,
    Webp,
    Tiff,
    Icon,
    Html,
}
