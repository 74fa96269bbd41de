using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

/// <summary>
/// Per-address budgets: one for every HTTP request and WebSocket message together
/// (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW), and a stricter one for login attempts. Each
/// client (IPv4 address or IPv6 /64) has its own partition, so one client's flood never uses up
/// another's budget.
/// </summary>
internal sealed class RateLimits : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _requests;
    private readonly PartitionedRateLimiter<IPAddress> _logins;
    private readonly ISharedBudget _shared;
    private readonly SecurityOptions _settings;

    public RateLimits(IOptions<SecurityOptions> options, ISharedBudget shared)
    {
        var settings = options.Value;
        _settings = settings;
        _shared = shared;
        _requests = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetSlidingWindowLimiter(
            address,
            _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = settings.RateLimitRequests,
                Window = settings.RateLimitWindow,
                SegmentsPerWindow = 6,
                QueueLimit = 0,
            }));
        _logins = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.LoginAttemptsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>Takes one request from the address's budget; false, with when to retry, when it is spent.</summary>
    public bool TryRequest(IPAddress? address, out TimeSpan retryAfter, bool shared = true) =>
        TryAcquire(_requests, address, out retryAfter) && (!shared || Shared("requests", address, _settings.RateLimitRequests, _settings.RateLimitWindow, ref retryAfter));

    public bool TryLogin(IPAddress? address, out TimeSpan retryAfter) =>
        TryAcquire(_logins, address, out retryAfter) && Shared("logins", address, _settings.LoginAttemptsPerMinute, TimeSpan.FromMinutes(1), ref retryAfter);

    // Spent on other instances counts too; their count arrives a moment late, so this is the looser check.
    private bool Shared(string budget, IPAddress? address, int limit, TimeSpan window, ref TimeSpan retryAfter)
    {
        if (_shared.TrySpend(budget, NetworkRules.ClientKey(address ?? IPAddress.None), limit, window))
        {
            return true;
        }

        retryAfter = window;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _requests.DisposeAsync();
        await _logins.DisposeAsync();
    }

    private static bool TryAcquire(PartitionedRateLimiter<IPAddress> limiter, IPAddress? address, out TimeSpan retryAfter)
    {
        using var lease = limiter.AttemptAcquire(NetworkRules.ClientKey(address ?? IPAddress.None));
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }
}
