using System.Data.Common;
using EmailMonitor.Storage.Postgres;

namespace EmailMonitor.Storage;

/// <summary>
/// Brings the schema up to date at start-up. A PostgreSQL server that is still starting (the usual
/// case when both come up together) is waited for; one that refuses the credentials or lacks the
/// database is a configuration problem, said at once without the password.
/// </summary>
internal static class DatabaseStartup
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>The schema version reached, or the problem that stopped it.</summary>
    public static async Task<(int Version, string? Problem)> MigrateAsync(
        Database database, TimeSpan patience, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return (await database.MigrateAsync(cancellationToken), null);
            }
            catch (DbException ex) when (database.Path is null && PostgresStorage.ConfigurationProblem(ex, database.Description) is { } problem)
            {
                return (0, problem);
            }
            catch (DbException ex) when (database.Path is null && PostgresStorage.WorthWaitingFor(ex))
            {
                if (time.GetElapsedTime(started) >= patience)
                {
                    return (0, $"DATABASE_URL: could not reach {database.Description} within {patience.TotalSeconds:0} s ({ex.Message})");
                }

                logger.DatabaseUnreachable(database.Description, ex.Message);
                await Task.Delay(RetryDelay, time, cancellationToken);
            }
        }
    }
}
