using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// Encrypts mailbox credentials for the database with AES-256-GCM. The key is CREDENTIALS_KEY, or
/// one generated once into DATA_DIR (0600). Each sealed value is bound to a context (its mailbox's
/// name and settings), so a ciphertext copied onto another row, or left under altered settings,
/// does not open.
/// </summary>
/// <remarks>
/// A key kept beside the database protects against a leaked dump or a copied table, not against
/// someone who holds the whole DATA_DIR: set CREDENTIALS_KEY from a secret store to keep the two apart.
/// </remarks>
internal sealed class CredentialVault
{
    public const string KeyFileName = "credentials.key";

    private const byte Format = 1;
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]> _key;

    public CredentialVault(IOptions<MailboxesOptions> options, IOptions<StorageOptions> storage, ILogger<CredentialVault> logger)
    {
        _key = new Lazy<byte[]>(() => TryReadKey(options.Value.CredentialsKey) ?? LoadOrCreateKeyFile(storage.Value.DataDirectory, logger));
    }

    public static byte[]? TryReadKey(string base64)
    {
        var buffer = new byte[KeySize + 1];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == KeySize ? buffer[..KeySize] : null;
    }

    public byte[] Seal(string context, string secret)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedValue = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedValue[0] = Format;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceSize + TagSize), sealedValue.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedValue;
    }

    /// <summary>The secret sealed for <paramref name="context"/>; null when it does not open (another key, another context, altered bytes).</summary>
    public string? Open(string context, byte[] sealedValue)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Format)
        {
            return null;
        }

        var plaintext = new byte[sealedValue.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key.Value, TagSize);
            aes.Decrypt(
                sealedValue.AsSpan(1, NonceSize), sealedValue.AsSpan(1 + NonceSize + TagSize), sealedValue.AsSpan(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(context));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] LoadOrCreateKeyFile(string dataDirectory, ILogger logger)
    {
        var path = Path.Combine(dataDirectory, KeyFileName);
        PrivateFiles.CreateDirectory(dataDirectory);
        try
        {
            using var file = new FileStream(path, PrivateFiles.Create(FileMode.CreateNew, FileAccess.Write));
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize))));
            logger.GeneratedCredentialsKey(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Made before (or by another instance at the same moment): use it.
        }

        return TryReadKey(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} does not hold a 32-byte base64 key; restore it from a backup or set CREDENTIALS_KEY.");
    }
}
