using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace EmailMonitor.Storage.Sqlite;

/// <summary>Connections to the SQLite file in DATA_DIR, each opened with the pragmas every connection needs.</summary>
internal sealed class SqliteDataSource(string path) : DbDataSource
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        ForeignKeys = true,
        // Seconds a statement waits for another connection's write lock before failing.
        DefaultTimeout = 30,
    }.ToString();

    public override string ConnectionString => _connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(_connectionString);

    protected override DbConnection OpenDbConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.Command(DurableCommits);
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(DurableCommits, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // FULL makes a commit durable across power loss as well as process death: an event that was
    // pushed to a client is never rolled back and re-delivered under a new event_id. A writer that
    // finds another one writing waits in SQLite's own steps of a few milliseconds (up to 30 s), not
    // in the client library's retries 150 ms apart: with webhooks recording attempts beside the
    // event log, writers meet often.
    private const string DurableCommits = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
}
