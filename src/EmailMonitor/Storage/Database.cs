using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Storage;

/// <summary>
/// The SQLite database in DATA_DIR: opens connections with the pragmas every one needs and
/// brings the schema up to date once at start-up.
/// </summary>
internal sealed class Database
{
    private readonly string _connectionString;

    public Database(IOptions<StorageOptions> options)
    {
        Path = options.Value.DatabasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Seconds a statement waits for another connection's write lock before failing.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // FULL makes a commit durable across power loss as well as process death: an event
            // that was pushed to a client is never rolled back and re-delivered under a new event_id.
            await ExecuteAsync(connection, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        PrivateFiles.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // SQLite gives its -wal and -shm files the database file's permissions, so a database
        // made 0600 before SQLite first opens it keeps all three private.
        using (new FileStream(Path, PrivateFiles.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite)))
        {
        }

        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
        {
            PrivateFiles.Restrict(file);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
        await SchemaMigrations.ApplyAsync(connection, cancellationToken);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    internal static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
