using System.Text;

namespace EmailMonitor.Configuration;

/// <summary>Reads a secret kept in a file of its own (<c>JWT_SECRET_KEY_FILE</c> and the like).</summary>
internal static class SecretFile
{
    /// <summary>Secrets are keys, passwords and URLs; a larger file is a wrong path (a log, a device), not a secret.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The file's text without trailing line breaks, or a problem that names what is wrong and never shows the content.</summary>
    public static (string? Secret, string? Problem) Read(string path)
    {
        if (Directory.Exists(path))
        {
            return (null, "is a directory, not a file");
        }

        byte[] bytes;
        try
        {
            // A pipe would hold start-up until something wrote to it; pipes, devices and /proc files
            // all have no length, like an empty file, which holds no secret either.
            if (new FileInfo(path) is { Exists: true, Length: 0 })
            {
                return (null, "is empty or not a regular file");
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
            bytes = new byte[MaxBytes + 1];
            var length = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (length > MaxBytes)
            {
                return (null, $"is larger than {MaxBytes / 1024} KiB");
            }

            Array.Resize(ref bytes, length);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, "does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, "cannot be read by this user");
        }
        catch (IOException ex)
        {
            return (null, $"cannot be read: {ex.Message}");
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (null, "is not UTF-8 text");
        }

        // Editors and `echo` end a file with a line break that is no part of the secret (the shell's
        // $(< file) drops them too); a byte order mark is no part of it either.
        text = text.TrimStart('\uFEFF').TrimEnd('\r', '\n');
        return text.Length == 0 ? (null, "is empty") : (text, null);
    }
}
