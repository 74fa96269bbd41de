namespace EmailMonitor.Analysis;

/// <summary>RAR archives whose headers are encrypted: even the member names need the password.</summary>
internal static class RarSignatures
{
    public static bool HeadersEncrypted(ReadOnlySpan<byte> head)
    {
        // RAR 5: signature, then an archive encryption header (type 4) before anything else.
        if (head.StartsWith("Rar!\u001A\u0007\u0001\u0000"u8))
        {
            var rest = head[8..];
            return rest.Length > 4 && TryReadVarInt(rest[4..], out _, out var sizeLength)
                && TryReadVarInt(rest[(4 + sizeLength)..], out var type, out _) && type == 4;
        }

        // RAR 4: signature, then the main header (type 0x73) with the "headers encrypted" flag 0x0080.
        if (head.StartsWith("Rar!\u001A\u0007\u0000"u8) && head.Length >= 7 + 5)
        {
            var main = head[7..];
            return main[2] == 0x73 && (main[3] & 0x80) != 0;
        }

        return false;
    }

    private static bool TryReadVarInt(ReadOnlySpan<byte> data, out ulong value, out int length)
    {
        value = 0;
        for (length = 0; length < Math.Min(data.Length, 10); length++)
        {
            value |= (ulong)(data[length] & 0x7F) << (7 * length);
            if ((data[length] & 0x80) == 0)
            {
                length++;
                return true;
            }
        }

        return false;
    }
}
