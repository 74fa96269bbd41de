using System.Data;
using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace EmailMonitor.Storage.Postgres;

internal sealed class PostgresDialect : SqlDialect
{
    // Advisory lock keys: constants no other application on the database is likely to use.
    private const long LockKeyBase = 0x456D_4D6F_6E00_0000;

    public override string Engine => "postgresql";

    public override IReadOnlyList<string> Migrations => PostgresMigrations.Steps;

    // Identity values are drawn when a row is inserted, not when it commits: without the event log
    // lock a writer could take id 11, another id 12 and commit first, and a reader resuming after 12
    // would never see 11. Held to the commit, it makes the order of ids the order of commits.
    public override string Lock(Writers writers)
    {
        var take = $"SELECT pg_advisory_xact_lock({(LockKeyBase + (long)writers).ToString(CultureInfo.InvariantCulture)});";
        return writers == Writers.Schema ? take + "\nCREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);" : take;
    }

    public override string ForUpdate => " FOR UPDATE";

    public override string ForShare => " FOR SHARE";

    public override string NowMilliseconds => "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    public override string IsOneOf(string column, string parameter) => $"{column} = ANY({parameter})";

    public override void AddStringList(DbCommand command, string parameter, IReadOnlyCollection<string> values) =>
        command.Parameters.Add(new NpgsqlParameter(parameter, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() });

    public override string Contains(string column, string parameter) => $"strpos({column}, {parameter}) > 0";

    // 'simple' lower-cases and keeps every word: no stemming or stop words, which would differ by
    // language, and the words are already cut the same way as SQLite's (Search/SearchWords).
    public override (string Column, string Value)? SearchInRow => ("search", "to_tsvector('simple', @words)");

    public override string? SearchIndexApart => null;

    public override string MatchesSearch(string parameter, string beforeParameter) => $"search @@ to_tsquery('simple', {parameter})";

    // A large payload lives out of the row (TOAST), so the filter columns are read cheaply in place.
    public override string FilterIndex => string.Empty;

    // Every term, and the words of a phrase next to each other. The words hold letters, marks and
    // digits only, none of tsquery's operators or quotes.
    public override string FormatSearch(IReadOnlyList<IReadOnlyList<string>> terms) =>
        string.Join(" & ", terms.Select(term => "(" + string.Join(" <-> ", term.Select(word => $"'{word}'")) + ")"));

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    public override async Task<int> GetVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT coalesce(max(version), 0) FROM schema_version", transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public override string SetVersion(int version) =>
        $"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({version.ToString(CultureInfo.InvariantCulture)});";
}
