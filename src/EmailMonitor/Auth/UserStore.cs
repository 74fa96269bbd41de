using EmailMonitor.Storage;

namespace EmailMonitor.Auth;

/// <summary>User accounts with their password hashes and lockout state.</summary>
internal sealed class UserStore(Database database)
{
    public async Task<UserAccount?> FindAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT username, password_hash, role, disabled, locked_until FROM users WHERE username = $username";
        command.Parameters.AddWithValue("$username", username);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new UserAccount(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt64(3) != 0,
            reader.IsDBNull(4) ? null : StoredTime.Parse(reader.GetString(4)));
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM users";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task CreateAsync(string username, string passwordHash, string role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (username, password_hash, role, created_at)
            VALUES ($username, $hash, $role, $now)
            """;
        command.Parameters.AddWithValue("$username", username);
        command.Parameters.AddWithValue("$hash", passwordHash);
        command.Parameters.AddWithValue("$role", role);
        command.Parameters.AddWithValue("$now", StoredTime.Format(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Counts a failed login; the one that reaches <paramref name="maxAttempts"/> locks the account
    /// until <paramref name="lockUntil"/> and starts the count again. Returns whether it locked.
    /// </summary>
    public async Task<bool> RecordFailureAsync(string username, int maxAttempts, DateTimeOffset lockUntil, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // One statement, so concurrent failures cannot both read the same count.
        command.CommandText = """
            UPDATE users SET
                failed_attempts = CASE WHEN failed_attempts + 1 >= $max THEN 0 ELSE failed_attempts + 1 END,
                locked_until = CASE WHEN failed_attempts + 1 >= $max THEN $until ELSE locked_until END
            WHERE username = $username
            RETURNING locked_until
            """;
        command.Parameters.AddWithValue("$username", username);
        command.Parameters.AddWithValue("$max", maxAttempts);
        var until = StoredTime.Format(lockUntil);
        command.Parameters.AddWithValue("$until", until);
        var lockedUntil = await command.ExecuteScalarAsync(cancellationToken);
        return lockedUntil is string value && value == until;
    }

    public async Task RecordSuccessAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = $username";
        command.Parameters.AddWithValue("$username", username);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
