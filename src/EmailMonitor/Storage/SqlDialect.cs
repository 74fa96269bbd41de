using System.Data.Common;

namespace EmailMonitor.Storage;

/// <summary>
/// What differs between the database engines, in one place per engine: the schema steps, how the
/// schema version is kept, how a writer serialises with other writers, and the few SQL forms that
/// have no common spelling. Everything else is written once, in SQL both engines accept, with
/// <c>@name</c> parameters.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>The engine's name as logs and health checks show it.</summary>
    public abstract string Engine { get; }

    /// <summary>
    /// The schema, one step per version, in order. Both engines have the same number of steps, each
    /// bringing the same tables to the same version; a released step is never edited, only followed.
    /// </summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>
    /// A statement that takes <paramref name="writers"/>' lock and holds it to the end of the
    /// transaction (begun by <see cref="BeginWriteAsync"/>): such transactions run one at a time,
    /// on every instance. Empty where the write transaction already excludes every other writer.
    /// </summary>
    public abstract string Lock(Writers writers);

    /// <summary>Appended to a SELECT whose rows the transaction goes on to change.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>The database server's clock now, in Unix milliseconds: one clock for every instance.</summary>
    public abstract string NowMilliseconds { get; }

    /// <summary>Appended to a SELECT whose rows must not change until the transaction ends.</summary>
    public abstract string ForShare { get; }

    /// <summary>A condition: <paramref name="column"/> is one of the strings in <paramref name="parameter"/> (see <see cref="AddStringList"/>).</summary>
    public abstract string IsOneOf(string column, string parameter);

    public abstract void AddStringList(DbCommand command, string parameter, IReadOnlyCollection<string> values);

    /// <summary>A condition: the text in <paramref name="column"/> holds the text of <paramref name="parameter"/>.</summary>
    public abstract string Contains(string column, string parameter);

    /// <summary>
    /// The column and value an events INSERT or UPDATE sets to keep the event's words
    /// (<c>@words</c>) in its row; null where they are indexed apart (<see cref="SearchIndexApart"/>).
    /// </summary>
    public abstract (string Column, string Value)? SearchInRow { get; }

    /// <summary>A statement that indexes <c>@words</c> for event <c>@id</c> apart from its row, after it is written; null where the row holds them.</summary>
    public abstract string? SearchIndexApart { get; }

    /// <summary>
    /// A condition: the event's words hold every term of <paramref name="parameter"/> (made by
    /// <see cref="FormatSearch"/>), for events below <paramref name="beforeParameter"/>.
    /// </summary>
    public abstract string MatchesSearch(string parameter, string beforeParameter);

    /// <summary>Appended to <c>FROM events</c> where the filter columns (risk, flags, tags, search_indexed) are read through their own index; empty where the engine chooses well alone.</summary>
    public abstract string FilterIndex { get; }

    /// <summary>The engine's query for <paramref name="terms"/> (see <see cref="Search.SearchWords.Terms"/>): every term, a phrase where it has several words.</summary>
    public abstract string FormatSearch(IReadOnlyList<IReadOnlyList<string>> terms);

    /// <summary>A transaction that may write, holding what it needs to from its first statement.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    public abstract Task<int> GetVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken);

    public abstract string SetVersion(int version);
}
