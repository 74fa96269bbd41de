using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Analysis;

/// <summary>
/// Archives in the formats mail carries besides ZIP: 7z made by the real 7-Zip (Debian's
/// <c>7zip</c>), gzip and tar.gz by the platform, and RAR 5 written byte by byte from its
/// published format, as no free tool writes RAR.
/// </summary>
internal static class SampleArchives
{
    public static byte[] SevenZip(IEnumerable<(string Name, byte[] Content)> entries, string? password = null, bool encryptNames = false, bool solid = true)
    {
        using var directory = new TempDirectory();
        var files = Path.Combine(directory.Path, "files");
        Directory.CreateDirectory(files);
        foreach (var (name, content) in entries)
        {
            File.WriteAllBytes(Path.Combine(files, name), content);
        }

        var archive = Path.Combine(directory.Path, "out.7z");
        var arguments = new List<string> { "a", "-t7z", "-bd", "-y", solid ? "-ms=on" : "-ms=off", archive };
        if (password is not null)
        {
            arguments.Add("-p" + password);
            arguments.Add(encryptNames ? "-mhe=on" : "-mhe=off");
        }

        arguments.Add("./files/*");
        using var process = Process.Start(new ProcessStartInfo("7zz", arguments)
        {
            WorkingDirectory = directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("7zz failed: " + output);
        }

        return File.ReadAllBytes(archive);
    }

    /// <summary>A gzip file, with the original name in its header when one is given (as gzip(1) writes it).</summary>
    public static byte[] Gzip(byte[] content, string? originalName = null)
    {
        using var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(content);
        }

        using var gzip = new MemoryStream();
        gzip.Write([0x1F, 0x8B, 0x08, (byte)(originalName is null ? 0 : 0x08), 0, 0, 0, 0, 0, 3]);
        if (originalName is not null)
        {
            gzip.Write(Encoding.Latin1.GetBytes(originalName));
            gzip.WriteByte(0);
        }

        gzip.Write(deflated.ToArray());
        gzip.Write(BitConverter.GetBytes(Crc32.Compute(content)));
        gzip.Write(BitConverter.GetBytes((uint)content.Length));
        return gzip.ToArray();
    }

    public static byte[] TarGz(params (string Name, byte[] Content)[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        using var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true))
        {
            compressor.Write(tar.ToArray());
        }

        return gzip.ToArray();
    }

    /// <summary>
    /// A RAR 5 archive that stores its members uncompressed; an encrypted member carries the
    /// file encryption record, as WinRAR writes for a password without encrypted names.
    /// </summary>
    public static byte[] Rar5(params (string Name, byte[] Content, bool Encrypted)[] entries)
    {
        using var rar = new MemoryStream();
        rar.Write("Rar!\u001A\u0007\u0001\u0000"u8);
        WriteHeader(rar, type: 1, headerFlags: 0, extra: [], dataSize: null, fields: [0]); // main header, no archive flags
        foreach (var (name, content, encrypted) in entries)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var fields = new List<byte>();
            fields.AddRange(VarInt(0x0004)); // file flags: data CRC32 present
            fields.AddRange(VarInt((ulong)content.Length)); // unpacked size
            fields.AddRange(VarInt(0x20)); // attributes: archive
            fields.AddRange(BitConverter.GetBytes(Crc32.Compute(content)));
            fields.AddRange(VarInt(0)); // compression: version 0, method 0 = store
            fields.AddRange(VarInt(0)); // host OS: Windows
            fields.AddRange(VarInt((ulong)nameBytes.Length));
            fields.AddRange(nameBytes);

            byte[] extra = [];
            if (encrypted)
            {
                // Record type 1 (encryption): version 0 (AES-256), flag 1 (password check present),
                // KDF count, salt, IV, and the 8-byte check value with its 4-byte checksum.
                var record = new List<byte>();
                record.AddRange(VarInt(1));
                record.AddRange(VarInt(0));
                record.AddRange(VarInt(1));
                record.Add(15);
                record.AddRange(RandomNumberGenerator.GetBytes(16));
                record.AddRange(RandomNumberGenerator.GetBytes(16));
                var check = RandomNumberGenerator.GetBytes(8);
                record.AddRange(check);
                record.AddRange(SHA256.HashData(check).AsSpan(0, 4).ToArray());
                extra = [.. VarInt((ulong)record.Count), .. record];
            }

            WriteHeader(rar, type: 2, headerFlags: 0x0002, extra, dataSize: (ulong)content.Length, fields: [.. fields]);
            rar.Write(content);
        }

        WriteHeader(rar, type: 5, headerFlags: 0, extra: [], dataSize: null, fields: [0]); // end of archive
        return rar.ToArray();
    }

    private static void WriteHeader(Stream rar, ulong type, ulong headerFlags, byte[] extra, ulong? dataSize, byte[] fields)
    {
        var body = new List<byte>();
        body.AddRange(VarInt(type));
        body.AddRange(VarInt(headerFlags | (extra.Length > 0 ? 0x0001UL : 0)));
        if (extra.Length > 0)
        {
            body.AddRange(VarInt((ulong)extra.Length));
        }

        if (dataSize is { } size)
        {
            body.AddRange(VarInt(size));
        }

        body.AddRange(fields);
        body.AddRange(extra);
        byte[] sized = [.. VarInt((ulong)body.Count), .. body];
        rar.Write(BitConverter.GetBytes(Crc32.Compute(sized)));
        rar.Write(sized);
    }

    private static byte[] VarInt(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var next = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? next : (byte)(next | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static class Crc32
    {
        private static readonly uint[] Table = [.. Enumerable.Range(0, 256).Select(n =>
        {
            var c = (uint)n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            return c;
        })];

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return ~crc;
        }
    }
}
