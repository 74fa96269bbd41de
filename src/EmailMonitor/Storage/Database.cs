using System.Data.Common;
using EmailMonitor.Storage.Postgres;
using EmailMonitor.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Storage;

/// <summary>
/// The database: SQLite in DATA_DIR unless DATABASE_URL names a PostgreSQL server. Hands out open
/// connections and the engine's <see cref="SqlDialect"/>, and brings the schema up to date once at start-up.
/// </summary>
internal sealed class Database : IAsyncDisposable
{
    private readonly DbDataSource _source;

    public Database(IOptions<StorageOptions> options)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.DatabaseUrl))
        {
            Path = settings.DatabasePath;
            Description = Path;
            _source = new SqliteDataSource(Path);
            Sql = new SqliteDialect();
        }
        else
        {
            (_source, Description) = PostgresStorage.Open(settings.DatabaseUrl);
            Sql = new PostgresDialect();
        }
    }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? Path { get; }

    /// <summary>Where the data lives, without credentials: a file, or host:port/database.</summary>
    public string Description { get; }

    public SqlDialect Sql { get; }

    public ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => _source.OpenConnectionAsync(cancellationToken);

    /// <summary>Brings the schema to this build's version and returns it.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken, int? upTo = null)
    {
        if (Path is not null)
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
        }

        await using var connection = await OpenAsync(cancellationToken);
        if (Path is not null)
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        }

        return await SchemaMigrations.ApplyAsync(connection, Sql, cancellationToken, upTo);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT 1");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
