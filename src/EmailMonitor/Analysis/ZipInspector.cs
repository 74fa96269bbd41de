using System.Buffers.Binary;
using System.IO.Compression;

namespace EmailMonitor.Analysis;

/// <summary>
/// Looks one level into a ZIP (or an Office Open XML file, which is one): member names, the first
/// bytes of each member, encryption and VBA projects. Work is bounded whatever the archive claims:
/// at most <see cref="MaxEntries"/> members and <see cref="MemberHeadBytes"/> decompressed bytes of
/// each, so a zip bomb costs a few megabytes at most.
/// </summary>
internal static class ZipInspector
{
    public const int MaxEntries = 1000;
    public const int MemberHeadBytes = 4096;

    public static ArchiveFindings Inspect(Stream zip, BlockedExtensions blocked)
    {
        // ZipArchive reads the whole central directory up front; refuse one that claims more
        // entries than any real attachment has, before it allocates them.
        if (CentralDirectoryEntries(zip) is not (>= 0 and <= MaxEntries * 10))
        {
            return ArchiveFindings.None;
        }

        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var office = false;
            var vba = false;
            var encrypted = false;
            var dangerous = false;
            var doubleExtension = false;
            var bidi = false;
            var head = new byte[MemberHeadBytes];
            foreach (var entry in archive.Entries.Take(MaxEntries))
            {
                var name = entry.FullName;
                office |= name.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase);
                vba |= entry.Name.Equals("vbaProject.bin", StringComparison.OrdinalIgnoreCase);
                bidi |= AttachmentNames.HasBidiControl(name);
                doubleExtension |= AttachmentNames.HasDoubleExtension(entry.Name, blocked.Contains);
                dangerous |= blocked.Contains(AttachmentNames.Extension(entry.Name));
                if (entry.IsEncrypted)
                {
                    encrypted = true;
                    continue;
                }

                if (entry.Length > 0 && !dangerous)
                {
                    dangerous |= FileSignatures.IsExecutable(FileSignatures.Detect(ReadHead(entry, head)));
                }
            }

            return new ArchiveFindings(office, vba, encrypted, dangerous, doubleExtension, bidi);
        }
        catch (InvalidDataException)
        {
            // Not a readable archive: what the head showed is all there is to say.
            return ArchiveFindings.None;
        }
    }

    private static ReadOnlySpan<byte> ReadHead(ZipArchiveEntry entry, byte[] buffer)
    {
        using var content = entry.Open();
        var length = 0;
        int read;
        while (length < buffer.Length && (read = content.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return buffer.AsSpan(0, length);
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
