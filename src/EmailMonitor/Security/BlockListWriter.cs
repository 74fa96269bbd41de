using System.Threading.Channels;
using EmailMonitor.Storage;

namespace EmailMonitor.Security;

/// <summary>Writes block list changes to the database, in order, off the request path.</summary>
internal sealed class BlockListWriter(ChannelReader<BlockChange> changes, Database database, ILogger<BlockListWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in changes.ReadAllAsync(stoppingToken))
        {
            try
            {
                await WriteAsync(change, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The block is in force in memory; only its survival across a restart is lost.
                logger.BlockNotStored(change.Address.ToString(), ex);
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
