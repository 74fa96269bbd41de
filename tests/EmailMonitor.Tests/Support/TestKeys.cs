using EmailMonitor.Auth;
using EmailMonitor.Configuration;
using EmailMonitor.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Support;

/// <summary>Root signing keys (JWT_SECRET_KEY) for tests of what is keyed from it.</summary>
internal static class TestKeys
{
    public const string Secret = "a-test-secret-of-at-least-32-bytes-long";

    public static SigningKey Root(string secret = Secret) =>
        new(
            Options.Create(new AuthOptions { JwtSecretKey = secret }),
            Options.Create(new StorageOptions()),
            Options.Create(new ServiceOptions()),
            NullLogger<SigningKey>.Instance);
}
