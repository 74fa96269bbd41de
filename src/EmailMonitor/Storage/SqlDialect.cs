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

    /// <summary>A transaction that may write, holding what it needs to from its first statement.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    public abstract Task<int> GetVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken);

    public abstract string SetVersion(int version);
}
