using System.Formats.Tar;
using System.IO.Compression;

namespace EmailMonitor.Analysis;

/// <summary>
/// Looks into a gzip file: the name it was compressed from (in its header, else the attachment's
/// name without <c>.gz</c>), what the decompressed content starts with, and, when that is a tar
/// archive (a <c>.tar.gz</c>), its members. Decompression is guarded, so a gzip bomb costs at
/// most <see cref="MaxDecompressedBytes"/> of work.
/// </summary>
internal static class GzipInspector
{
    private const long MaxDecompressedBytes = 64L * 1024 * 1024;
    private const byte NameFlag = 0x08;
    private const byte ExtraFlag = 0x04;

    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    public static ArchiveFindings Inspect(Stream spool, string attachmentName, BlockedExtensions blocked)
    {
        var members = new ArchiveMembers(blocked);
        members.Named(OriginalName(spool) ?? WithoutGzipExtension(attachmentName));
        try
        {
            var head = new byte[ArchiveMembers.MemberHeadBytes];
            using (var content = Decompress(spool))
            {
                var start = ArchiveMembers.ReadHead(content, head);
                if (!IsTar(start))
                {
                    members.Began(start);
                    return members.Findings();
                }
            }

            using var tar = new TarReader(Decompress(spool));
            var memberHead = new byte[ArchiveMembers.MemberHeadBytes];
            for (var count = 0; count < ArchiveMembers.MaxEntries && tar.GetNextEntry() is { } entry; count++)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                {
                    continue;
                }

                members.Named(entry.Name);
                if (entry.DataStream is { } data && !members.Dangerous)
                {
                    members.Began(ArchiveMembers.ReadHead(data, memberHead));
                }
            }
        }
        catch (Exception)
        {
            // A damaged or too costly stream (any exception, as hostile input can cause many):
            // what was learned before it stands.
        }

        return members.Findings();
    }

    private static GuardedStream Decompress(Stream spool)
    {
        spool.Position = 0;
        return new GuardedStream(new GZipStream(spool, CompressionMode.Decompress, leaveOpen: true), MaxDecompressedBytes, MaxTime, ownsInner: true);
    }

    // POSIX and GNU tar both mark the first header with "ustar" at offset 257.
    private static bool IsTar(ReadOnlySpan<byte> head) => head.Length >= 512 && head[257..262].SequenceEqual("ustar"u8);

    /// <summary>The FNAME field of the gzip header (RFC 1952), if the compressor recorded one.</summary>
    private static string? OriginalName(Stream spool)
    {
        Span<byte> header = stackalloc byte[1024];
        spool.Position = 0;
        var length = spool.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        header = header[..length];
        if (length < 10 || (header[3] & NameFlag) == 0)
        {
            return null;
        }

        var at = 10;
        if ((header[3] & ExtraFlag) != 0)
        {
            if (length < 12)
            {
                return null;
            }

            at += 2 + (header[10] | (header[11] << 8));
        }

        var end = at < length ? header[at..].IndexOf((byte)0) : -1;
        // RFC 1952 says ISO 8859-1, which Latin1 decodes byte for byte.
        return end < 0 ? null : System.Text.Encoding.Latin1.GetString(header.Slice(at, end));
    }

    private static string WithoutGzipExtension(string name) =>
        name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) ? name[..^4] + ".tar"
        : name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3]
        : name;
}
