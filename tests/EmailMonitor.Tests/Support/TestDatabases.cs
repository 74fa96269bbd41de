using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Support;

/// <summary>A database of each engine for storage tests: a SQLite file in the test's directory, or a new PostgreSQL database.</summary>
internal static class TestDatabases
{
    public static readonly string[] Engines = ["sqlite", "postgresql"];

    public static Database Create(string engine, string directory) => new(Options.Create(Settings(engine, directory)));

    public static StorageOptions Settings(string engine, string directory) => engine switch
    {
        "sqlite" => new StorageOptions { DataDirectory = directory },
        "postgresql" => new StorageOptions { DataDirectory = directory, DatabaseUrl = PostgresServer.Shared.CreateDatabase() },
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "unknown engine"),
    };
}
