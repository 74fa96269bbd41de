namespace EmailMonitor;

/// <summary>
/// Files and directories that hold mail, credentials or logs: readable by the service's own user
/// only (directories 0700, files 0600), whatever the umask, so another local user never reads
/// the database, its write-ahead log, the logs, a key or a spooled message.
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupAndOthers = (UnixFileMode)0b000_111_111;

    /// <summary>Creates a directory (and missing parents) as 0700; one that exists is left as the operator made it.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnlyDirectory);
    }

    /// <summary>Options that create a file as 0600.</summary>
    public static FileStreamOptions Create(FileMode mode, FileAccess access, FileShare share = FileShare.None, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        var created = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (!OperatingSystem.IsWindows())
        {
            created.UnixCreateMode = OwnerOnlyFile;
        }

        return created;
    }

    /// <summary>Takes group and other access away from a file that exists (one written by an older version).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & GroupAndOthers) != 0)
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~GroupAndOthers);
        }
    }
}
