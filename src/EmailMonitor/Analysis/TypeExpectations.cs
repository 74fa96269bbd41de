namespace EmailMonitor.Analysis;

/// <summary>
/// What content a name's extension or a declared MIME type promises, to catch a file whose bytes
/// say otherwise (an executable called invoice.pdf, a PDF declared as image/png).
/// </summary>
internal static class TypeExpectations
{
    private static readonly FileKind[] Office = [FileKind.OfficeOpenXml, FileKind.Zip];
    private static readonly FileKind[] TextLike = [FileKind.Text, FileKind.Html];

    private static readonly Dictionary<string, FileKind[]> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pdf"] = [FileKind.Pdf],
        ["zip"] = [FileKind.Zip, FileKind.OfficeOpenXml],
        ["docx"] = Office, ["docm"] = Office, ["dotx"] = Office, ["dotm"] = Office,
        ["xlsx"] = Office, ["xlsm"] = Office, ["xltx"] = Office, ["xltm"] = Office, ["xlam"] = Office,
        ["pptx"] = Office, ["pptm"] = Office, ["potx"] = Office, ["potm"] = Office, ["ppsx"] = Office, ["ppsm"] = Office,
        ["doc"] = [FileKind.Ole2], ["dot"] = [FileKind.Ole2], ["xls"] = [FileKind.Ole2], ["xlt"] = [FileKind.Ole2],
        ["ppt"] = [FileKind.Ole2], ["pps"] = [FileKind.Ole2], ["msg"] = [FileKind.Ole2],
        ["rar"] = [FileKind.Rar], ["7z"] = [FileKind.SevenZip], ["gz"] = [FileKind.Gzip], ["tgz"] = [FileKind.Gzip],
        ["iso"] = [FileKind.DiskImage],
        ["png"] = [FileKind.Png], ["jpg"] = [FileKind.Jpeg], ["jpeg"] = [FileKind.Jpeg], ["gif"] = [FileKind.Gif],
        ["bmp"] = [FileKind.Bmp], ["webp"] = [FileKind.Webp], ["tif"] = [FileKind.Tiff], ["tiff"] = [FileKind.Tiff],
        ["ico"] = [FileKind.Icon],
        ["txt"] = TextLike, ["csv"] = TextLike, ["log"] = TextLike, ["md"] = TextLike, ["htm"] = TextLike, ["html"] = TextLike,
        ["exe"] = [FileKind.WindowsExecutable], ["dll"] = [FileKind.WindowsExecutable], ["scr"] = [FileKind.WindowsExecutable],
        ["sys"] = [FileKind.WindowsExecutable],
    };

    private static readonly Dictionary<string, FileKind[]> ByMimeType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = [FileKind.Pdf],
        ["application/zip"] = [FileKind.Zip, FileKind.OfficeOpenXml],
        ["application/x-zip-compressed"] = [FileKind.Zip, FileKind.OfficeOpenXml],
        ["application/msword"] = [FileKind.Ole2],
        ["application/vnd.ms-excel"] = [FileKind.Ole2],
        ["application/vnd.ms-powerpoint"] = [FileKind.Ole2],
        ["application/vnd.rar"] = [FileKind.Rar],
        ["application/x-rar-compressed"] = [FileKind.Rar],
        ["application/x-7z-compressed"] = [FileKind.SevenZip],
        ["application/gzip"] = [FileKind.Gzip],
        ["image/png"] = [FileKind.Png],
        ["image/jpeg"] = [FileKind.Jpeg],
        ["image/gif"] = [FileKind.Gif],
        ["image/bmp"] = [FileKind.Bmp],
        ["image/webp"] = [FileKind.Webp],
        ["image/tiff"] = [FileKind.Tiff],
        ["text/plain"] = TextLike,
        ["text/html"] = TextLike,
        ["text/csv"] = TextLike,
    };

    /// <summary>True when the content is recognised and is not what the extension or the declared type promised.</summary>
    public static bool Mismatch(string extension, string declaredMimeType, FileKind detected)
    {
        if (detected is FileKind.Empty or FileKind.Unknown)
        {
            return false;
        }

        if (ByExtension.TryGetValue(extension, out var promised) && !promised.Contains(detected))
        {
            return true;
        }

        if (declaredMimeType.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.OrdinalIgnoreCase)
            || declaredMimeType.StartsWith("application/vnd.ms-", StringComparison.OrdinalIgnoreCase) && declaredMimeType.Contains("macroenabled", StringComparison.OrdinalIgnoreCase))
        {
            return !Office.Contains(detected);
        }

        return ByMimeType.TryGetValue(declaredMimeType, out var declared) && !declared.Contains(detected);
    }
}
