namespace EmailMonitor.Storage;

/// <summary>
/// Applies the engine's schema steps (<see cref="SqlDialect.Migrations"/>) in order, one
/// transaction each, under the engine's schema lock: instances starting together on one
/// PostgreSQL database migrate one at a time, and each sees the version the previous one left.
/// </summary>
internal static class SchemaMigrations
{
    // upTo stops at that version: a test of one migration starts from the version before it.
    public static async Task<int> ApplyAsync(System.Data.Common.DbConnection connection, SqlDialect sql, CancellationToken cancellationToken, int? upTo = null)
    {
        var steps = sql.Migrations;
        while (true)
        {
            await using var transaction = await sql.BeginWriteAsync(connection, cancellationToken);
            await connection.ExecuteAsync(sql.Lock(Writers.Schema), cancellationToken, transaction);
            var current = await sql.GetVersionAsync(connection, transaction, cancellationToken);
            if (current > steps.Count)
            {
                throw new InvalidOperationException(
                    $"The database schema is version {current}, newer than this build understands ({steps.Count}). Run a newer email-monitor.");
            }

            if (current >= (upTo ?? steps.Count))
            {
                await transaction.CommitAsync(cancellationToken);
                return current;
            }

            await connection.ExecuteAsync(steps[current] + "\n" + sql.SetVersion(current + 1), cancellationToken, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
