using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Configuration;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace EmailMonitor.Auth;

/// <summary>
/// The root of the signing key ring (<see cref="SigningKeyRing"/>): JWT_SECRET_KEY, or in
/// development a random key generated once and kept in DATA_DIR so tokens survive restarts.
/// </summary>
internal sealed class SigningKey(IOptions<AuthOptions> auth, IOptions<StorageOptions> storage, IOptions<ServiceOptions> service, ILogger<SigningKey> logger)
{
    private const string DevelopmentKeyFile = "jwt-secret.key";

    private readonly Lazy<SymmetricSecurityKey> _key = new(() => Load(auth.Value, storage.Value, service.Value, logger));

    public SymmetricSecurityKey Key => _key.Value;

    private static SymmetricSecurityKey Load(AuthOptions auth, StorageOptions storage, ServiceOptions service, ILogger logger)
    {
        if (auth.JwtSecretKey.Length > 0)
        {
            return Named(Encoding.UTF8.GetBytes(auth.JwtSecretKey));
        }

        if (!service.IsDevelopment)
        {
            throw new InvalidOperationException("JWT_SECRET_KEY is required outside development.");
        }

        var path = Path.Combine(storage.DataDirectory, DevelopmentKeyFile);
        if (!File.Exists(path))
        {
            PrivateFiles.CreateDirectory(storage.DataDirectory);
            using var file = new FileStream(path, PrivateFiles.Create(FileMode.CreateNew, FileAccess.Write));
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))));
        }

        logger.GeneratedSigningKey(path);
        return Named(Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim()));
    }

    // Its kid names this secret without revealing anything of it, and changes when the secret does.
    private static SymmetricSecurityKey Named(byte[] secret) =>
        new(secret) { KeyId = "root-" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, "email-monitor/kid"u8))[..16] };
}
