using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EmailMonitor.Storage.Sqlite;

internal sealed class SqliteDialect : SqlDialect
{
    public override string Engine => "sqlite";

    public override IReadOnlyList<string> Migrations => SqliteMigrations.Steps;

    // BEGIN IMMEDIATE takes the database's one write lock before the first statement and holds it
    // to the commit: writers (of this process or any other on the same file) never overlap.
    public override string Lock(Writers writers) => string.Empty;

    public override string ForUpdate => string.Empty;

    public override string ForShare => string.Empty;

    public override string NowMilliseconds => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    public override string IsOneOf(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override void AddStringList(DbCommand command, string parameter, IReadOnlyCollection<string> values) =>
        command.AddText(parameter, JsonSerializer.Serialize(values.ToArray(), StorageJson.Default.StringArray));

    public override string Contains(string column, string parameter) => $"instr({column}, {parameter}) > 0";

    public override (string Column, string Value)? SearchInRow => null;

    public override string? SearchIndexApart => "INSERT INTO events_search (rowid, words) VALUES (@id, @words)";

    // Bounded by the page, so a page of a common word does not gather every match first.
    public override string MatchesSearch(string parameter, string beforeParameter) =>
        $"event_id IN (SELECT rowid FROM events_search WHERE events_search MATCH {parameter} AND rowid < {beforeParameter})";

    // A row's filter columns sit after its payload, which may fill overflow pages that reading
    // them would walk; the covering index holds them apart (step 12).
    public override string FilterIndex => " INDEXED BY events_filters";

    // FTS5: a quoted string is a phrase of its words, and terms side by side must all match. The
    // words hold letters, marks and digits only, so nothing in them needs escaping.
    public override string FormatSearch(IReadOnlyList<IReadOnlyList<string>> terms) =>
        string.Join(' ', terms.Select(term => $"\"{string.Join(' ', term)}\""));

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    public override async Task<int> GetVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("PRAGMA user_version", transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public override string SetVersion(int version) => $"PRAGMA user_version = {version.ToString(CultureInfo.InvariantCulture)};";
}
