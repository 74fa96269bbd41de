using System.Diagnostics;
using System.Net;
using EmailMonitor.Auth;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Auth;

public sealed class LoginTimingTests
{
    [Fact]
    public async Task A_login_as_an_unknown_name_costs_a_full_password_hash_like_a_real_one()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["MAX_LOGIN_ATTEMPTS"] = "100");
        var auth = service.App.Services.GetRequiredService<AuthService>();

        var known = new List<TimeSpan>();
        var unknown = new List<TimeSpan>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            known.Add(await TimeAsync(() => auth.LoginAsync(ServiceHost.AdminUsername, "wrong-password", Address(attempt), CancellationToken.None)));
            unknown.Add(await TimeAsync(() => auth.LoginAsync("ghost", "wrong-password", Address(attempt + 100), CancellationToken.None)));
        }

        // Load only ever adds time, so the fastest of each is closest to its real cost. Without
        // the decoy hash an unknown name would answer in well under a millisecond.
        Assert.True(unknown.Min() >= known.Min() / 2, $"unknown {unknown.Min().TotalMilliseconds:0.0} ms vs known {known.Min().TotalMilliseconds:0.0} ms");
    }

    private static IPAddress Address(int n) => IPAddress.Parse($"192.0.2.{n + 1}");

    private static async Task<TimeSpan> TimeAsync(Func<Task<AuthOutcome>> login)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await login();
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.Equal(AuthFailure.AuthFailed, outcome.Failure);
        return elapsed;
    }
}
