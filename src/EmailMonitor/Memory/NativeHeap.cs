using System.Runtime.InteropServices;

namespace EmailMonitor.Memory;

/// <summary>The C library's heap, where the runtime's compiler and SQLite allocate.</summary>
internal static class NativeHeap
{
    /// <summary>
    /// Gives the heap's free pages back to the system; false where that cannot be done (a C library
    /// other than glibc, such as musl, which keeps little free memory anyway) or failed.
    /// </summary>
    public static bool TryTrim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception)
        {
            // Whatever went wrong, a memory saving is not worth stopping the service for.
            return false;
        }
    }

    // glibc's own name for itself: a bare "libc" can resolve to a linker script on machines with
    // the C development files installed.
    // A plain import: the call passes and returns integers only, so nothing needs marshalling.
    [DllImport("libc.so.6", EntryPoint = "malloc_trim", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
