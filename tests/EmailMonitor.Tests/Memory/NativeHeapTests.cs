using System.Runtime.InteropServices;
using EmailMonitor.Memory;

namespace EmailMonitor.Tests.Memory;

// Alone: resident memory is the whole process's, and other tests' hosts trim the heap too.
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    [Fact]
    public void Trimming_gives_the_free_pages_inside_the_heap_back_to_the_system()
    {
        Assert.SkipUnless(NativeLibrary.TryLoad("libc.so.6", out _), "glibc is not here");
        // Blocks below glibc's threshold for mapping memory of their own come from the heap; a small
        // block kept after each keeps the freed ones from merging into the heap's top, which glibc
        // gives back by itself. What is left is what the compiler leaves behind.
        const int Blocks = 1_600, BlockBytes = 64 * 1024;
        var fill = new byte[BlockBytes];
        Array.Fill(fill, (byte)0x5a);
        var large = new IntPtr[Blocks];
        var pins = new IntPtr[Blocks];
        try
        {
            for (var i = 0; i < Blocks; i++)
            {
                large[i] = Marshal.AllocHGlobal(BlockBytes);
                Marshal.Copy(fill, 0, large[i], BlockBytes);
                pins[i] = Marshal.AllocHGlobal(16);
            }

            // Read while the blocks are held: freeing them gives back nothing by itself, and a host
            // of another test could trim between the frees and a reading taken after them.
            var before = ResidentAnonymousKib();
            foreach (var block in large)
            {
                Marshal.FreeHGlobal(block);
            }

            Array.Clear(large);
            Assert.True(NativeHeap.TryTrim());
            var after = ResidentAnonymousKib();

            // 100 MiB were freed; the process may have taken some memory elsewhere meanwhile.
            Assert.True(before - after >= 50 * 1024, $"resident anonymous memory went from {before} KiB to {after} KiB");
        }
        finally
        {
            foreach (var block in large.Concat(pins).Where(block => block != IntPtr.Zero))
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    private static long ResidentAnonymousKib() =>
        long.Parse(File.ReadLines("/proc/self/status").Single(line => line.StartsWith("RssAnon:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
