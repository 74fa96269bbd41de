using System.Globalization;
using Npgsql;

namespace EmailMonitor.Storage.Postgres;

/// <summary>
/// DATABASE_URL in the form PostgreSQL's own tools take: <c>postgres://user:password@host:port/database?sslmode=require</c>.
/// Problems name the part that is wrong and never repeat the password.
/// </summary>
internal sealed record PostgresUrl(string ConnectionString, string Description)
{
    private static readonly Dictionary<string, SslMode> SslModes = new(StringComparer.Ordinal)
    {
        ["disable"] = SslMode.Disable,
        ["allow"] = SslMode.Allow,
        ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require,
        ["verify-ca"] = SslMode.VerifyCA,
        ["verify-full"] = SslMode.VerifyFull,
    };

    public static bool IsPostgres(string url) =>
        url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL's settings, or the problems with it (empty when there are none).</summary>
    public static (PostgresUrl? Url, IReadOnlyList<string> Problems) Parse(string url)
    {
        var problems = new List<string>();
        if (!IsPostgres(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || url.Any(char.IsControl))
        {
            return (null, ["DATABASE_URL: expected postgres://user:password@host:port/database (empty = SQLite in DATA_DIR)"]);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.IdnHost.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            // Names nothing secret, and lets the database's own views tell instances apart.
            ApplicationName = "email-monitor",
            // A transaction of a process that froze (SIGSTOP, a paused VM) would hold its locks, the
            // event log's among them, for ever: the server ends it after 15 s idle, and the instance
            // retries (nothing it committed is lost; what it had not is fetched again).
            Options = "-c idle_in_transaction_session_timeout=15000",
            KeepAlive = 30,
        };

        if (builder.Host.Length == 0)
        {
            problems.Add("DATABASE_URL: the host is missing");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        if (builder.Username.Length == 0)
        {
            problems.Add("DATABASE_URL: the user name is missing (postgres://user:password@host/database)");
        }

        builder.Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (builder.Database.Length == 0 || builder.Database.Contains('/', StringComparison.Ordinal))
        {
            problems.Add("DATABASE_URL: name one database after the host (postgres://user:password@host/database)");
        }

        foreach (var (key, value) in QueryParameters(uri.Query))
        {
            switch (key)
            {
                case "sslmode" when SslModes.TryGetValue(value, out var mode):
                    builder.SslMode = mode;
                    break;
                case "sslmode":
                    problems.Add($"DATABASE_URL: sslmode must be one of {string.Join(", ", SslModes.Keys)}");
                    break;
                case "connect_timeout" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 600:
                    builder.Timeout = seconds;
                    break;
                case "connect_timeout":
                    problems.Add("DATABASE_URL: connect_timeout must be a number of seconds from 1 to 600");
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                default:
                    problems.Add($"DATABASE_URL: unknown parameter '{Printable(key)}' (known: sslmode, sslrootcert, connect_timeout)");
                    break;
            }
        }

        return problems.Count > 0
            ? (null, problems)
            : (new PostgresUrl(builder.ConnectionString, $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}"), []);
    }

    private static IEnumerable<(string Key, string Value)> QueryParameters(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            yield return (Uri.UnescapeDataString(parts[0]), parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }
    }

    private static string Printable(string text) => new([.. text.Where(c => !char.IsControl(c)).Take(40)]);
}
