using System.Threading.Channels;
using EmailMonitor.Storage;

namespace EmailMonitor.Security;

/// <summary>
/// Writes block list changes to the database, in order, off the request path; a change that cannot
/// be written is tried again until it is (the database is what a restart and the other instances
/// go by), while the block holds in memory meanwhile.
/// </summary>
internal sealed class BlockListWriter(ChannelReader<BlockChange> changes, Database database, TimeProvider time, ILogger<BlockListWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in changes.ReadAllAsync(stoppingToken))
        {
            for (var failures = 0; ; failures++)
            {
                try
                {
                    await WriteAsync(change, CancellationToken.None);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (failures == 0)
                    {
                        logger.BlockNotStored(change.Address.ToString(), ex);
                    }

                    await Task.Delay(failures < 10 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10), time, stoppingToken);
                }
            }
        }
    }

    private async Task WriteAsync(BlockChange change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.AddText("@ip", change.Address.ToString());
        if (change.Block is { } block)
        {
            command.CommandText = """
                INSERT INTO ip_blocks (ip, reason, blocked_at, expires_at) VALUES (@ip, @reason, @blockedAt, @expiresAt)
                ON CONFLICT (ip) DO UPDATE SET reason = excluded.reason, blocked_at = excluded.blocked_at, expires_at = excluded.expires_at
                """;
            command.AddText("@reason", block.Reason);
            command.AddText("@blockedAt", StoredTime.Format(block.BlockedAt));
            command.AddText("@expiresAt", StoredTime.Format(block.ExpiresAt));
        }
        else
        {
            command.CommandText = "DELETE FROM ip_blocks WHERE ip = @ip";
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
