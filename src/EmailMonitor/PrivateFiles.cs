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
    private const UnixFileMode Others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

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

    /// <summary>
    /// Takes access for everyone else away from a file that exists (one an older version wrote
    /// world-readable). Group access is left as it is: an operator may have granted it on purpose,
    /// to a log shipper or a backup job. A file the service does not own, or a file system without
    /// modes, keeps what it has; that is its owner's decision, not a reason not to start.
    /// </summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (File.Exists(path) && (File.GetUnixFileMode(path) & Others) != 0)
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~Others);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Not ours to change (see above).
        }
    }
}
