using System.Text;
using EmailMonitor.Analysis;

namespace EmailMonitor.Tests.Analysis;

public sealed class AttachmentContentTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(23)]
    public void A_vba_project_name_split_across_writes_is_still_found(int splitAt)
    {
        var file = SampleFiles.Concat(SampleFiles.Ole2(withVbaProject: false)[..600], Encoding.Unicode.GetBytes("_VBA_PROJECT"), new byte[100]);
        var split = 600 + splitAt;
        using var content = new AttachmentContent(maxBytes: 1_000_000);

        content.Write(file.AsSpan(0, split));
        foreach (var b in file.AsSpan(split, 3))
        {
            content.Write([b]);
        }

        content.Write(file.AsSpan(split + 3));

        Assert.True(content.VbaProjectSeen);
        Assert.Equal(file.Length, content.Size);
    }

    [Fact]
    public void A_zip_is_kept_seekable_across_the_switch_to_a_temporary_file()
    {
        var zip = SampleFiles.Zip(("big.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(6 * 1024 * 1024)));
        using var content = new AttachmentContent(maxBytes: 100 * 1024 * 1024);

        for (var offset = 0; offset < zip.Length; offset += 65536)
        {
            content.Write(zip.AsSpan(offset, Math.Min(65536, zip.Length - offset)));
        }

        var spool = content.OpenSpool();
        Assert.NotNull(spool);
        Assert.IsType<FileStream>(spool);
        using var copy = new MemoryStream();
        spool.CopyTo(copy);
        Assert.Equal(zip, copy.ToArray());
    }

    [Fact]
    public void Nothing_is_kept_of_a_zip_past_the_size_limit()
    {
        var zip = SampleFiles.Zip(("big.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(2 * 1024 * 1024)));
        using var content = new AttachmentContent(maxBytes: 1024 * 1024);

        content.Write(zip);

        Assert.True(content.Oversized);
        Assert.Null(content.OpenSpool());
        Assert.Equal(FileSignatures.HeadBytes, content.Head.Length);
        Assert.Equal(zip.Length, content.Size);
    }
}
