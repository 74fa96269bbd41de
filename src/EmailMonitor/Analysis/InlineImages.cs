using MimeKit;

namespace EmailMonitor.Analysis;

/// <summary>
/// Images that travel inside the message: "cid:" references resolved to the message's own image
/// parts as data: URLs, and data: URLs of raster images kept. Nothing here is fetched from
/// anywhere, and SVG (which can carry script) is never admitted.
/// </summary>
internal static class InlineImages
{
    public const long MaxImageBytes = 256 * 1024;
    public const long MaxTotalBytes = 1024 * 1024;

    private static readonly string[] RasterTypes = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"];

    /// <summary>The message's inline raster images by Content-ID, as data: URLs, within the size limits.</summary>
    public static IReadOnlyDictionary<string, string> Collect(MimeMessage message)
    {
        var images = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            if (part.ContentId is not { Length: > 0 } id || !RasterTypes.Contains(part.ContentType.MimeType, StringComparer.OrdinalIgnoreCase) || part.Content is null)
            {
                continue;
            }

            using var decoded = new MemoryStream();
            part.Content.DecodeTo(decoded);
            if (decoded.Length > MaxImageBytes || total + decoded.Length > MaxTotalBytes)
            {
                continue;
            }

            total += decoded.Length;
            images[id] = $"data:{part.ContentType.MimeType.ToLowerInvariant()};base64,{Convert.ToBase64String(decoded.GetBuffer(), 0, (int)decoded.Length)}";
        }

        return images;
    }

    /// <summary>The URL to keep for an image source, or null when it is not an image from inside the message.</summary>
    public static string? Resolve(string url, IReadOnlyDictionary<string, string> images)
    {
        var trimmed = url.Trim();
        if (trimmed.StartsWith("cid:", StringComparison.OrdinalIgnoreCase))
        {
            return images.GetValueOrDefault(Uri.UnescapeDataString(trimmed[4..]).Trim('<', '>'));
        }

        return RasterTypes.Any(type => trimmed.StartsWith($"data:{type};base64,", StringComparison.OrdinalIgnoreCase)) ? trimmed : null;
    }
}
