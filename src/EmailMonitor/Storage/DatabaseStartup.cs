using System.Data.Common;
using Npgsql;

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
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
            {
                return (0, $"DATABASE_URL: {database.Description} refused the user name or password");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                return (0, $"DATABASE_URL: {database.Description}: the database does not exist (create it first)");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                return (0, $"DATABASE_URL: {database.Description}: the user may not create the tables ({ex.MessageText})");
            }
            catch (DbException ex) when (database.Path is null && ex is not PostgresException { SqlState: not PostgresErrorCodes.CannotConnectNow })
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
