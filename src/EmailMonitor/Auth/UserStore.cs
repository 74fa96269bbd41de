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

    /// <summary>Every account, or only the one named <paramref name="username"/>.</summary>
    public async Task<IReadOnlyList<UserSummary>> ListAsync(string? username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT username, role, disabled, locked_until, created_at FROM users
            WHERE $username IS NULL OR username = $username
            ORDER BY username COLLATE NOCASE
            """;
        command.Parameters.AddWithValue("$username", (object?)username ?? DBNull.Value);
        var users = new List<UserSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new UserSummary(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2) != 0,
                reader.IsDBNull(3) ? null : StoredTime.Parse(reader.GetString(3)),
                StoredTime.Parse(reader.GetString(4))));
        }

        return users;
    }

    /// <summary>
    /// Applies the changes that are given, in one statement that refuses to leave the service
    /// without an enabled administrator. A new password also clears a lockout.
    /// </summary>
    public async Task<UserChange> UpdateAsync(string username, string? role, string? passwordHash, bool? disabled, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE users SET
                role = coalesce($role, role),
                password_hash = coalesce($hash, password_hash),
                disabled = coalesce($disabled, disabled),
                failed_attempts = CASE WHEN $hash IS NULL THEN failed_attempts ELSE 0 END,
                locked_until = CASE WHEN $hash IS NULL THEN locked_until ELSE NULL END
            WHERE username = $username
              AND NOT ({IsLastEnabledAdmin} AND (coalesce($role, role) <> 'admin' OR coalesce($disabled, disabled) <> 0))
            """;
        command.Parameters.AddWithValue("$username", username);
        command.Parameters.AddWithValue("$role", (object?)role ?? DBNull.Value);
        command.Parameters.AddWithValue("$hash", (object?)passwordHash ?? DBNull.Value);
        command.Parameters.AddWithValue("$disabled", disabled is { } d ? (d ? 1 : 0) : DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? UserChange.Done : await WhyNotAsync(username, cancellationToken);
    }

    public async Task<UserChange> DeleteAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM users WHERE username = $username AND NOT {IsLastEnabledAdmin}";
        command.Parameters.AddWithValue("$username", username);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? UserChange.Done : await WhyNotAsync(username, cancellationToken);
    }

    // True for the row being changed when it is the only enabled administrator left.
    private const string IsLastEnabledAdmin =
        "(role = 'admin' AND disabled = 0 AND (SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0) <= 1)";

    private async Task<UserChange> WhyNotAsync(string username, CancellationToken cancellationToken) =>
        await FindAsync(username, cancellationToken) is null ? UserChange.NotFound : UserChange.LastAdministrator;
}
