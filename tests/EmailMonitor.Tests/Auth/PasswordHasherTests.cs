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

    [Fact]
    public async Task Login_checks_never_hash_more_than_the_bound_at_once_and_every_one_is_answered()
    {
        using var hasher = new PasswordHasher(TimeProvider.System, maxConcurrentChecks: 2);
        var stored = PasswordHasher.Hash("right password");
        var peak = 0;
        var sampling = true;
        // A thread of its own, so a busy thread pool cannot keep it from looking.
        var sampler = new Thread(() =>
        {
            while (Volatile.Read(ref sampling))
            {
                peak = Math.Max(peak, hasher.ChecksInProgress);
                Thread.SpinWait(50);
            }
        });
        sampler.Start();

        var checks = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => hasher.CheckLoginAsync(i == 3 ? "right password" : "wrong", stored, CancellationToken.None), TestContext.Current.CancellationToken))
            .ToList();
        var answers = await Task.WhenAll(checks);
        Volatile.Write(ref sampling, false);
        sampler.Join();

        Assert.InRange(peak, 1, 2);
        Assert.Equal([false, false, false, true, false, false, false, false], answers.Select(a => a!.Value));
    }

    [Fact]
    public async Task A_check_without_an_account_costs_a_hash_and_never_succeeds()
    {
        using var hasher = new PasswordHasher(TimeProvider.System);

        Assert.False(await hasher.CheckLoginAsync("anything", null, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("md5$1$abc$def")]
    [InlineData("pbkdf2-sha256$notanumber$AAAA$AAAA")]
    public void A_stored_hash_in_another_format_never_verifies(string stored) =>
        Assert.False(PasswordHasher.Verify("plaintext", stored));
}
