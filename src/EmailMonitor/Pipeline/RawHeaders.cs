using System.Text;

namespace EmailMonitor.Pipeline;

/// <summary>
/// A message's header block as it arrived, for an analyst who wants to read it
/// (<c>GET /api/emails/headers/{id}</c>): the bytes before the first empty line, at most
/// <see cref="MaxBytes"/>, read as UTF-8 (a byte that is not, and NUL, become U+FFFD).
/// </summary>
internal static class RawHeaders
{
    public const int MaxBytes = 64 * 1024;

    public static string Read(RawContent content)
    {
        // Most header blocks are a few KiB: read a chunk at a time and stop at the empty line.
        var buffer = new byte[Math.Min(MaxBytes, 8 * 1024)];
        var stream = content.Rewind();
        var length = 0;
        int end;
        while ((end = EndOfHeaders(buffer.AsSpan(0, length))) < 0 && length < MaxBytes)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(MaxBytes, buffer.Length * 2));
            }

            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        var block = buffer.AsSpan(0, length);
        // NUL is the one character a PostgreSQL text column refuses: left in, one hostile message
        // would fail its batch's insert again and again.
        return Encoding.UTF8.GetString(end >= 0 ? block[..end] : block).Replace('\0', '\uFFFD');
    }

    // Where the first empty line starts (after the last header's line break), or -1.
    private static int EndOfHeaders(ReadOnlySpan<byte> block)
    {
        if (block.Length > 0 && block[0] is (byte)'\r' or (byte)'\n')
        {
            return 0;
        }

        var crlf = block.IndexOf("\r\n\r\n"u8);
        var lf = block.IndexOf("\n\n"u8);
        return (crlf, lf) switch
        {
            (< 0, < 0) => -1,
            (< 0, _) => lf + 1,
            (_, < 0) => crlf + 2,
            _ => Math.Min(crlf + 2, lf + 1),
        };
    }
}
