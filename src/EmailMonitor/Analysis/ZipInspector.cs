using System.Buffers.Binary;
using System.IO.Compression;

namespace EmailMonitor.Analysis;

/// <summary>
/// Looks one level into a ZIP (or an Office Open XML file, which is one): member names, the first
/// bytes of each member, encryption and VBA projects. Work is bounded whatever the archive claims:
/// at most <see cref="ArchiveMembers.MaxEntries"/> members and <see cref="ArchiveMembers.MemberHeadBytes"/>
/// decompressed bytes of each, so a zip bomb costs a few megabytes at most.
/// </summary>
internal static class ZipInspector
{
    public static ArchiveFindings Inspect(Stream zip, BlockedExtensions blocked)
    {
        // ZipArchive reads the whole central directory up front; refuse one that claims more
        // entries than any real attachment has, before it allocates them.
        if (CentralDirectoryEntries(zip) is not (>= 0 and <= ArchiveMembers.MaxEntries * 10))
        {
            return ArchiveFindings.None;
        }

        var members = new ArchiveMembers(blocked);
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var head = new byte[ArchiveMembers.MemberHeadBytes];
            foreach (var entry in archive.Entries.Take(ArchiveMembers.MaxEntries))
            {
                members.Named(entry.FullName);
                if (entry.IsEncrypted)
                {
                    members.Encrypted();
                }
                else if (entry.Length > 0 && !members.Dangerous)
                {
                    using var content = entry.Open();
                    members.Began(ArchiveMembers.ReadHead(content, head));
                }
            }

            return members.Findings();
        }
        catch (InvalidDataException)
        {
            // Not a readable archive: what the head showed is all there is to say.
            return ArchiveFindings.None;
        }
    }

    /// <summary>The entry count of the end-of-central-directory record, or -1 if there is none or it is ZIP64.</summary>
    private static int CentralDirectoryEntries(Stream zip)
    {
        const int RecordLength = 22;
        var tailLength = (int)Math.Min(zip.Length, RecordLength + ushort.MaxValue);
        if (tailLength < RecordLength)
        {
            return -1;
        }

        var tail = new byte[tailLength];
        zip.Position = zip.Length - tailLength;
        zip.ReadExactly(tail);
        zip.Position = 0;
        for (var i = tailLength - RecordLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == 0x06054B50)
            {
                var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 10));
                return entries == ushort.MaxValue ? -1 : entries;
            }
        }

        return -1;
    }
}
