using System.Data.Common;
using System.Runtime.CompilerServices;
using Npgsql;

namespace EmailMonitor.Storage.Postgres;

/// <summary>
/// Where the rest of Storage meets Npgsql's types. Each is a method of its own, never inlined, so
/// the runtime loads Npgsql only when DATABASE_URL names a PostgreSQL server, not on SQLite.
/// </summary>
internal static class PostgresStorage
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (DbDataSource Source, string Description) Open(string databaseUrl)
    {
        // The validator has already refused a URL with problems.
        var url = PostgresUrl.Parse(databaseUrl).Url
            ?? throw new InvalidOperationException("DATABASE_URL is not a PostgreSQL URL");
        return (NpgsqlDataSource.Create(url.ConnectionString), url.Description);
    }

    /// <summary>What a server's refusal at start-up says about the configuration; null when waiting may help.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string? ConfigurationProblem(DbException exception, string description) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
            $"DATABASE_URL: {description} refused the user name or password",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
            $"DATABASE_URL: {description}: the database does not exist (create it first)",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } ex =>
            $"DATABASE_URL: {description}: the user may not create the tables ({ex.MessageText})",
        _ => null,
    };

    /// <summary>Whether the server may yet answer: it could not be reached, or it is still starting up.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool WorthWaitingFor(DbException exception) => exception is not PostgresException { SqlState: not PostgresErrorCodes.CannotConnectNow };
}
