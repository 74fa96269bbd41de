using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Storage;

namespace EmailMonitor.Auth;

/// <summary>
/// Opaque refresh tokens, stored only as SHA-256 hashes. Each use retires the token and issues
/// the next one of the same family (login); presenting a retired token again means it was
/// stolen or replayed, so the whole family is revoked.
/// </summary>
internal sealed class RefreshTokenStore(Database database, TimeProvider time)
{
    private const int TokenBytes = 32;
    private const int MaxTokenLength = 256;

    public async Task<string> IssueAsync(string username, string sessionId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await InsertAsync(connection, null, username, sessionId, lifetime, cancellationToken);
    }

    public async Task<RefreshOutcome> RotateAsync(string token, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return new RefreshOutcome(RefreshStatus.Unknown);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        // Two rotations of one token serialize (the row is locked), and the second sees it retired.
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);

        await using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT username, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = @hash" + database.Sql.ForUpdate;
        find.AddText("@hash", HashOf(token));
        string username, sessionId;
        DateTimeOffset expiresAt;
        bool used, revoked;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new RefreshOutcome(RefreshStatus.Unknown);
            }

            username = reader.GetString(0);
            sessionId = reader.GetString(1);
            expiresAt = StoredTime.Parse(reader.GetString(2));
            used = !reader.IsDBNull(3);
            revoked = !reader.IsDBNull(4);
        }

        if (revoked)
        {
            return new RefreshOutcome(RefreshStatus.Revoked, username, sessionId);
        }

        if (used)
        {
            await RevokeFamilyAsync(connection, transaction, sessionId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RefreshOutcome(RefreshStatus.Reused, username, sessionId);
        }

        var now = time.GetUtcNow();
        if (now >= expiresAt)
        {
            return new RefreshOutcome(RefreshStatus.Expired, username, sessionId);
        }

        await using var retire = connection.CreateCommand();
        retire.Transaction = transaction;
        retire.CommandText = "UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @hash";
        retire.AddText("@hash", HashOf(token));
        retire.AddText("@now", StoredTime.Format(now));
        await retire.ExecuteNonQueryAsync(cancellationToken);

        var next = await InsertAsync(connection, transaction, username, sessionId, lifetime, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RefreshOutcome(RefreshStatus.Rotated, username, sessionId, next);
    }

    public async Task RevokeFamilyAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await RevokeFamilyAsync(connection, null, sessionId, cancellationToken);
    }

    /// <summary>Revokes every login of a user, so their access tokens stop working at once too.</summary>
    public async Task RevokeUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE refresh_tokens SET revoked_at = @now WHERE username = @username AND revoked_at IS NULL";
        command.AddText("@username", username);
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> IsFamilyRevokedAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = @family AND revoked_at IS NOT NULL)";
        command.AddText("@family", sessionId);
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Which of these logins were logged out or revoked.</summary>
    public async Task<HashSet<string>> RevokedAmongAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken)
    {
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        if (sessionIds.Count == 0)
        {
            return revoked;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT family_id FROM refresh_tokens WHERE revoked_at IS NOT NULL AND {database.Sql.IsOneOf("family_id", "@families")}";
        database.Sql.AddStringList(command, "@families", sessionIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            revoked.Add(reader.GetString(0));
        }

        return revoked;
    }

    private async Task<string> InsertAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string username, string sessionId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var now = time.GetUtcNow();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO refresh_tokens (token_hash, family_id, username, created_at, expires_at)
            VALUES (@hash, @family, @username, @now, @expires)
            """;
        command.AddText("@hash", HashOf(token));
        command.AddText("@family", sessionId);
        command.AddText("@username", username);
        command.AddText("@now", StoredTime.Format(now));
        command.AddText("@expires", StoredTime.Format(now + lifetime));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }

    private async Task RevokeFamilyAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @family AND revoked_at IS NULL";
        command.AddText("@family", sessionId);
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
