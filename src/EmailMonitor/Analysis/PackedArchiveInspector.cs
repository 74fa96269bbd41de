using SharpCompress.Archives;
using SharpCompress.Archives.Rar;
using SharpCompress.Archives.SevenZip;
using SharpCompress.Readers;

namespace EmailMonitor.Analysis;

/// <summary>
/// Looks one level into RAR and 7z archives with SharpCompress: member names and encryption
/// always, and the first bytes of members when the archive is not solid (a solid archive would
/// have to be decompressed from its start to reach each member). The parser reads through a
/// <see cref="GuardedStream"/>, so no archive can make it read or run for long.
/// </summary>
internal static class PackedArchiveInspector
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    public static ArchiveFindings Inspect(Stream spool, FileKind kind, BlockedExtensions blocked)
    {
        var members = new ArchiveMembers(blocked);
        // Reading a member's head reads its compressed bytes again; four passes over the archive is plenty.
        using var guarded = new GuardedStream(spool, 4 * spool.Length + 1024 * 1024, MaxTime);
        var options = new ReaderOptions { LeaveStreamOpen = true };
        try
        {
            using IArchive archive = kind == FileKind.Rar
                ? RarArchive.OpenArchive(guarded, options)
                : SevenZipArchive.OpenArchive(guarded, options);
            var head = new byte[ArchiveMembers.MemberHeadBytes];
            var solid = archive.IsSolid;
            foreach (var entry in archive.Entries.Where(e => !e.IsDirectory).Take(ArchiveMembers.MaxEntries))
            {
                members.Named(entry.Key ?? string.Empty);
                if (entry.IsEncrypted)
                {
                    members.Encrypted();
                }
                else if (!solid && entry.Size > 0 && !members.Dangerous)
                {
                    using var content = entry.OpenEntryStream();
                    members.Began(ArchiveMembers.ReadHead(content, head));
                }
            }
        }
        catch (Exception)
        {
            // A third-party parser of hostile input fails in many ways (format, range, overflow,
            // cryptography when even the names need the password). Whatever was learned before
            // the failure stands; headers encrypted with a password are an encrypted archive.
            if (kind == FileKind.SevenZip && SevenZipSignatures.HeadersEncrypted(spool))
            {
                members.Encrypted();
            }
        }

        return members.Findings();
    }
}
