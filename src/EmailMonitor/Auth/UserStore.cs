using System.Text.Json;
using EmailMonitor.Storage;

namespace EmailMonitor.Auth;

/// <summary>User accounts with their password hashes.</summary>
internal sealed class UserStore(Database database)
{
    public async Task<UserAccount?> FindAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT username, password_hash, role, disabled FROM users WHERE username = @username";
        command.AddText("@username", username);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new UserAccount(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt64(3) != 0);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM users";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task CreateAsync(string username, string passwordHash, string role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (username, password_hash, role, created_at)
            VALUES (@username, @hash, @role, @now)
            """;
        command.AddText("@username", username);
        command.AddText("@hash", passwordHash);
        command.AddText("@role", role);
        command.AddText("@now", StoredTime.Format(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every account, or only the one named <paramref name="username"/>.</summary>
    public async Task<IReadOnlyList<UserSummary>> ListAsync(string? username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT username, role, disabled, created_at, mailboxes FROM users
            WHERE @username IS NULL OR username = @username
            ORDER BY username COLLATE NOCASE
            """;
        command.AddText("@username", username);
        var users = new List<UserSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new UserSummary(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2) != 0,
                StoredTime.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : ReadMailboxes(reader.GetString(4))));
        }

        return users;
    }

    /// <summary>Every user whose mailboxes are limited, with the list.</summary>
    public async Task<IReadOnlyList<(string Username, IReadOnlyList<string> Mailboxes)>> ListMailboxLimitsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT username, mailboxes FROM users WHERE mailboxes IS NOT NULL";
        var limits = new List<(string, IReadOnlyList<string>)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            limits.Add((reader.GetString(0), ReadMailboxes(reader.GetString(1))));
        }

        return limits;
    }

    /// <summary>
    /// Applies the changes that are given (for mailboxes: a new list, whose names are null for
    /// all), in one statement that refuses to leave the service without an enabled administrator.
    /// </summary>
    public async Task<UserChange> UpdateAsync(
        string username, string? role, string? passwordHash, bool? disabled, MailboxList? mailboxes, CancellationToken cancellationToken)
    {
        var sql = $"""
            UPDATE users SET
                role = coalesce(@role, role),
                password_hash = coalesce(@hash, password_hash),
                disabled = coalesce(@disabled, disabled),
                mailboxes = CASE WHEN @setMailboxes THEN @mailboxes ELSE mailboxes END
            WHERE username = @username
              AND NOT ({IsLastEnabledAdmin} AND (coalesce(@role, role) <> 'admin' OR coalesce(@disabled, disabled) <> 0))
            """;
        var changed = await ChangeAsync(sql, command =>
        {
            command.AddText("@username", username);
            command.AddText("@role", role);
            command.AddText("@hash", passwordHash);
            command.AddInt64("@disabled", disabled is { } d ? (d ? 1 : 0) : null);
            command.AddBoolean("@setMailboxes", mailboxes is not null);
            command.AddText("@mailboxes", mailboxes?.Names is { } names ? JsonSerializer.Serialize(names, AuthJson.Default.IReadOnlyListString) : null);
        }, cancellationToken);
        return changed == 1 ? UserChange.Done : await WhyNotAsync(username, cancellationToken);
    }

    public async Task<UserChange> DeleteAsync(string username, CancellationToken cancellationToken)
    {
        var changed = await ChangeAsync(
            $"DELETE FROM users WHERE username = @username AND NOT {IsLastEnabledAdmin}", command => command.AddText("@username", username), cancellationToken);
        return changed == 1 ? UserChange.Done : await WhyNotAsync(username, cancellationToken);
    }

    // Changes that count administrators run one at a time (on every instance), or two at once could
    // each see the other administrator still enabled and leave none.
    private async Task<int> ChangeAsync(string sql, Action<System.Data.Common.DbCommand> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(database.Sql.Lock(Writers.Users), cancellationToken, transaction);
        await using var command = connection.Command(sql, transaction);
        parameters(command);
        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    private static IReadOnlyList<string> ReadMailboxes(string json) =>
        JsonSerializer.Deserialize(json, AuthJson.Default.IReadOnlyListString) ?? [];

    // True for the row being changed when it is the only enabled administrator left.
    private const string IsLastEnabledAdmin =
        "(role = 'admin' AND disabled = 0 AND (SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0) <= 1)";

    private async Task<UserChange> WhyNotAsync(string username, CancellationToken cancellationToken) =>
        await FindAsync(username, cancellationToken) is null ? UserChange.NotFound : UserChange.LastAdministrator;
}
