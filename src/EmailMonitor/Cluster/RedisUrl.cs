using System.Globalization;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// REDIS_URL: <c>redis://[user:password@]host[:port][/database]</c>, or <c>rediss://</c> for TLS.
/// Problems name the part that is wrong and never repeat the password.
/// </summary>
internal static class RedisUrl
{
    public static (ConfigurationOptions? Options, IReadOnlyList<string> Problems) Parse(string url)
    {
        if (!(url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            || url.Any(char.IsControl) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return (null, ["REDIS_URL: expected redis://[:password@]host[:port][/database] or rediss:// for TLS (empty = a single instance)"]);
        }

        var problems = new List<string>();
        var host = uri.IdnHost.Trim('[', ']');
        if (host.Length == 0)
        {
            problems.Add("REDIS_URL: the host is missing");
        }

        var options = new ConfigurationOptions
        {
            Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase),
            // Keep trying in the background: the service runs on without Redis and catches up.
            AbortOnConnectFail = false,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
            ClientName = "email-monitor",
        };
        options.EndPoints.Add(host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);

        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            options.User = Uri.UnescapeDataString(userInfo[0]);
        }

        if (userInfo.Length == 2 && userInfo[1].Length > 0)
        {
            options.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database) && database is >= 0 and < 10_000)
            {
                options.DefaultDatabase = database;
            }
            else
            {
                problems.Add("REDIS_URL: the path must be a database number (redis://host:6379/0)");
            }
        }

        if (uri.Query.Length > 1)
        {
            problems.Add("REDIS_URL: takes no parameters after '?'");
        }

        return problems.Count > 0 ? (null, problems) : (options, []);
    }
}
