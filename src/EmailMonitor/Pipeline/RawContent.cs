namespace EmailMonitor.Pipeline;

/// <summary>
/// A message's bytes as fetched: in memory when small, otherwise in a temporary file that is
/// unlinked as soon as it is created, so it is gone when this is disposed or the process dies.
/// Messages waiting for analysis therefore cost memory only up to a megabyte each.
/// </summary>
internal sealed class RawContent : IDisposable
{
    public const long InMemoryLimit = 1024 * 1024;

    private readonly Stream _stream;

    private RawContent(Stream stream)
    {
        _stream = stream;
    }

    public long Length => _stream.Length;

    public static RawContent FromBytes(byte[] bytes) => new(new MemoryStream(bytes, writable: false));

    public static implicit operator RawContent(byte[] bytes) => FromBytes(bytes);

    public static async Task<RawContent> CopyFromAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        if (length is >= 0 and <= InMemoryLimit)
        {
            var memory = new MemoryStream((int)length);
            await source.CopyToAsync(memory, cancellationToken);
            return new RawContent(memory);
        }

        var path = Path.Combine(Path.GetTempPath(), $"email-monitor-{Guid.NewGuid():N}.eml");
        // 0600 from the start: between its creation and its unlinking no other user may open it.
        var file = new FileStream(path, PrivateFiles.Create(FileMode.CreateNew, FileAccess.ReadWrite, bufferSize: 81920, options: FileOptions.Asynchronous));
        try
        {
            File.Delete(path);
            await source.CopyToAsync(file, cancellationToken);
            return new RawContent(file);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>The content from its start. The stream belongs to this instance; do not dispose it.</summary>
    public Stream Rewind()
    {
        _stream.Position = 0;
        return _stream;
    }

    /// <summary>Whether the bytes contain <paramref name="pattern"/>, read in chunks.</summary>
    public bool Contains(ReadOnlySpan<byte> pattern)
    {
        var stream = Rewind();
        var buffer = new byte[64 * 1024 + pattern.Length];
        var carried = 0;
        int read;
        while ((read = stream.Read(buffer, carried, buffer.Length - carried)) > 0)
        {
            var filled = carried + read;
            if (buffer.AsSpan(0, filled).IndexOf(pattern) >= 0)
            {
                return true;
            }

            // Keep the tail, so a pattern split across two reads is still found.
            carried = Math.Min(pattern.Length - 1, filled);
            buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
        }

        return false;
    }

    public void Dispose() => _stream.Dispose();
}
