using EmailMonitor.Auth;

namespace EmailMonitor.Tests.Auth;

public sealed class PasswordHasherTests
{
    [Fact]
    public void A_hash_verifies_its_password_only()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");

        Assert.True(PasswordHasher.Verify("correct horse battery staple", hash));
        Assert.False(PasswordHasher.Verify("correct horse battery stapl", hash));
        Assert.False(PasswordHasher.Verify(string.Empty, hash));
    }

    [Fact]
    public void Hashes_use_pbkdf2_sha256_with_600000_iterations_and_a_fresh_salt()
    {
        var first = PasswordHasher.Hash("same password");
        var second = PasswordHasher.Hash("same password");

        Assert.StartsWith("pbkdf2-sha256$600000$", first);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("md5$1$abc$def")]
    [InlineData("pbkdf2-sha256$notanumber$AAAA$AAAA")]
    public void A_stored_hash_in_another_format_never_verifies(string stored) =>
        Assert.False(PasswordHasher.Verify("plaintext", stored));
}
