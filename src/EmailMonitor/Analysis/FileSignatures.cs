using System.Text;

namespace EmailMonitor.Analysis;

/// <summary>
/// Recognises a file from its first bytes (magic numbers), never from its name. The head must
/// hold at least <see cref="HeadBytes"/> bytes where the file is that long: ISO 9660 keeps its
/// signature at 32 KiB.
/// </summary>
internal static class FileSignatures
{
    public const int HeadBytes = 36 * 1024;

    private static readonly byte[] Ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    private static readonly byte[] Rar = "Rar!\u001A\u0007"u8.ToArray();
    private static readonly byte[] SevenZip = [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static FileKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return FileKind.Empty;
        }

        if (head.StartsWith("MZ"u8))
        {
            return FileKind.WindowsExecutable;
        }

        if (head.StartsWith("\u007FELF"u8))
        {
            return FileKind.LinuxExecutable;
        }

        if (IsMachO(head))
        {
            return FileKind.MacExecutable;
        }

        if (head.StartsWith("#!"u8))
        {
            return FileKind.Script;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return FileKind.Pdf;
        }

        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8))
        {
            return ContainsAscii(head, "[Content_Types].xml") ? FileKind.OfficeOpenXml : FileKind.Zip;
        }

        if (head.StartsWith(Ole2))
        {
            return FileKind.Ole2;
        }

        if (head.StartsWith(Rar))
        {
            return FileKind.Rar;
        }

        if (head.StartsWith(SevenZip))
        {
            return FileKind.SevenZip;
        }

        if (head.StartsWith([(byte)0x1F, (byte)0x8B]))
        {
            return FileKind.Gzip;
        }

        if (IsIso9660(head) || IsBootSector(head))
        {
            return FileKind.DiskImage;
        }

        return DetectImage(head) ?? DetectText(head);
    }

    /// <summary>The MIME type reported as <c>detected_type</c>.</summary>
    public static string MimeType(FileKind kind) => kind switch
    {
        FileKind.Empty => string.Empty,
        FileKind.Text => "text/plain",
        FileKind.Html => "text/html",
        FileKind.WindowsExecutable => "application/vnd.microsoft.portable-executable",
        FileKind.LinuxExecutable => "application/x-executable",
        FileKind.MacExecutable => "application/x-mach-binary",
        FileKind.Script => "text/x-script",
        FileKind.Pdf => "application/pdf",
        FileKind.Zip => "application/zip",
        FileKind.OfficeOpenXml => "application/vnd.openxmlformats-officedocument",
        FileKind.Ole2 => "application/x-ole-storage",
        FileKind.Rar => "application/vnd.rar",
        FileKind.SevenZip => "application/x-7z-compressed",
        FileKind.Gzip => "application/gzip",
        FileKind.DiskImage => "application/x-iso9660-image",
        FileKind.Png => "image/png",
        FileKind.Jpeg => "image/jpeg",
        FileKind.Gif => "image/gif",
        FileKind.Bmp => "image/bmp",
        FileKind.Webp => "image/webp",
        FileKind.Tiff => "image/tiff",
        FileKind.Icon => "image/vnd.microsoft.icon",
        _ => "application/octet-stream",
    };

    public static bool IsExecutable(FileKind kind) =>
        kind is FileKind.WindowsExecutable or FileKind.LinuxExecutable or FileKind.MacExecutable or FileKind.Script;

    public static bool IsArchive(FileKind kind) =>
        kind is FileKind.Zip or FileKind.Rar or FileKind.SevenZip or FileKind.Gzip;

    private static bool IsMachO(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && (head[..4].SequenceEqual(new byte[] { 0xFE, 0xED, 0xFA, 0xCE })
            || head[..4].SequenceEqual(new byte[] { 0xCE, 0xFA, 0xED, 0xFE })
            || head[..4].SequenceEqual(new byte[] { 0xFE, 0xED, 0xFA, 0xCF })
            || head[..4].SequenceEqual(new byte[] { 0xCF, 0xFA, 0xED, 0xFE })
            // A universal (fat) binary; Java class files share the magic, with a version above 40 where Mach-O has an architecture count.
            || (head[..4].SequenceEqual(new byte[] { 0xCA, 0xFE, 0xBA, 0xBE }) && head.Length >= 8 && head[7] < 20 && head[4] == 0 && head[5] == 0));

    // A raw disk image (.img): a boot sector ending in 55 AA that names a FAT or NTFS file system.
    private static bool IsBootSector(ReadOnlySpan<byte> head) =>
        head.Length >= 512 && head[510] == 0x55 && head[511] == 0xAA
        && (head.Slice(54, 3).SequenceEqual("FAT"u8) || head.Slice(82, 3).SequenceEqual("FAT"u8) || head.Slice(3, 4).SequenceEqual("NTFS"u8));

    private static bool IsIso9660(ReadOnlySpan<byte> head)
    {
        foreach (var offset in new[] { 0x8001, 0x8801, 0x9001 })
        {
            if (head.Length >= offset + 5 && head.Slice(offset, 5).SequenceEqual("CD001"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static FileKind? DetectImage(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Png))
        {
            return FileKind.Png;
        }

        if (head.StartsWith([(byte)0xFF, (byte)0xD8, (byte)0xFF]))
        {
            return FileKind.Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return FileKind.Gif;
        }

        if (head.StartsWith("BM"u8) && head.Length >= 14)
        {
            return FileKind.Bmp;
        }

        if (head.StartsWith("RIFF"u8) && head.Length >= 12 && head.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return FileKind.Webp;
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return FileKind.Tiff;
        }

        if (head.StartsWith([(byte)0, (byte)0, (byte)1, (byte)0]) && head.Length >= 6)
        {
            return FileKind.Icon;
        }

        return null;
    }

    private static FileKind DetectText(ReadOnlySpan<byte> head)
    {
        var sample = head[..Math.Min(head.Length, 8 * 1024)];
        if (sample.Contains((byte)0))
        {
            return FileKind.Unknown;
        }

        var text = Encoding.UTF8.GetString(sample).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            ? FileKind.Html
            : FileKind.Text;
    }

    private static bool ContainsAscii(ReadOnlySpan<byte> head, string text) =>
        head.IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;
}
