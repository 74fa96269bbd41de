using System.Buffers.Binary;

namespace EmailMonitor.Analysis;

/// <summary>7z archives whose headers are encrypted (<c>7z -mhe</c>): even the member names need the password.</summary>
internal static class SevenZipSignatures
{
    private const byte EncodedHeader = 0x17;
    private const int StartHeaderLength = 32;

    // The coder id of 7zAES, which an encoded header lists among its coders when it is encrypted.
    private static readonly byte[] AesCoder = [0x06, 0xF1, 0x07, 0x01];

    public static bool HeadersEncrypted(Stream archive)
    {
        Span<byte> start = stackalloc byte[StartHeaderLength];
        archive.Position = 0;
        if (archive.ReadAtLeast(start, StartHeaderLength, throwOnEndOfStream: false) < StartHeaderLength)
        {
            return false;
        }

        var nextHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(start[12..]);
        var nextHeaderSize = BinaryPrimitives.ReadUInt64LittleEndian(start[20..]);
        if (nextHeaderOffset > (ulong)archive.Length || nextHeaderSize is 0 or > 4096
            || StartHeaderLength + nextHeaderOffset + nextHeaderSize > (ulong)archive.Length)
        {
            return false;
        }

        var header = new byte[(int)nextHeaderSize];
        archive.Position = StartHeaderLength + (long)nextHeaderOffset;
        archive.ReadExactly(header);
        return header[0] == EncodedHeader && header.AsSpan().IndexOf(AesCoder) >= 0;
    }
}
