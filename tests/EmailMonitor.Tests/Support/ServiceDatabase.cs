using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EmailMonitor.Tests.Support;

/// <summary>Straight SQL on a test service's database, whichever engine it runs on, as an operator (or an intruder) would.</summary>
internal static class ServiceDatabase
{
    public static async Task<DbConnection> OpenAsync(IReadOnlyDictionary<string, string> variables)
    {
        DbConnection connection = variables.TryGetValue("DATABASE_URL", out var url) && url.Length > 0
            ? new NpgsqlConnection(ConnectionString(new Uri(url)))
            : new SqliteConnection($"Data Source={Path.Combine(variables["DATA_DIR"], "email-monitor.db")};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public static async Task<int> ExecuteAsync(IReadOnlyDictionary<string, string> variables, string sql)
    {
        await using var connection = await OpenAsync(variables);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<long> CountAsync(IReadOnlyDictionary<string, string> variables, string sql)
    {
        await using var connection = await OpenAsync(variables);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ConnectionString(Uri url)
    {
        var user = url.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Username = Uri.UnescapeDataString(user[0]),
            Password = Uri.UnescapeDataString(user[1]),
            Database = url.AbsolutePath.TrimStart('/'),
            Pooling = false,
        }.ConnectionString;
    }
}
