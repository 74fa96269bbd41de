using System.Text.Json;
using EmailMonitor.Mail;
using EmailMonitor.Storage;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// The mailboxes administrators added, in the database: settings in the clear, credentials sealed
/// by <see cref="CredentialVault"/>; and which mailboxes (the default one included) are paused.
/// </summary>
internal sealed class MailboxStore(Database database, CredentialVault vault, TimeProvider time, ILogger<MailboxStore> logger)
{
    public async Task<IReadOnlyList<MailboxDefinition>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT m.name, m.settings, m.secrets, p.name IS NOT NULL
            FROM mailboxes m LEFT JOIN paused_mailboxes p ON p.name = m.name
            ORDER BY m.name
            """;
        var mailboxes = new List<MailboxDefinition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            try
            {
                var settingsJson = reader.GetString(1);
                var settings = JsonSerializer.Deserialize(settingsJson, MailboxJson.Default.StoredSettings)!;
                var secrets = vault.Open(Binding(name, settingsJson), (byte[])reader[2]) is { } json
                    ? JsonSerializer.Deserialize(json, MailboxJson.Default.StoredSecrets)
                    : null;
                mailboxes.Add(ToDefinition(name, settings, secrets) with { Paused = reader.GetBoolean(3) });
            }
            catch (Exception ex) when (ex is JsonException or InvalidCastException or NullReferenceException)
            {
                // One damaged row costs its own mailbox, never the service.
                logger.UnreadableMailbox(name, ex.GetType().Name);
            }
        }

        return mailboxes;
    }

    public async Task<bool> IsPausedAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM paused_mailboxes WHERE name = @name";
        command.AddText("@name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Adds a mailbox; false when one of that name exists.</summary>
    public async Task<bool> InsertAsync(MailboxDefinition mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO mailboxes (name, settings, secrets, created_at, updated_at) VALUES (@name, @settings, @secrets, @now, @now)
            ON CONFLICT (name) DO NOTHING
            """;
        AddParameters(command, mailbox);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await SetPausedAsync(connection, mailbox.Name, mailbox.Paused, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task UpdateAsync(MailboxDefinition mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Credentials that cannot be opened cannot be sealed again: only the pause changes then.
        if (mailbox.Name != MailboxDefinition.DefaultName && mailbox.Credential is not UnreadableCredential)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE mailboxes SET settings = @settings, secrets = @secrets, updated_at = @now WHERE name = @name";
            AddParameters(command, mailbox);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await SetPausedAsync(connection, mailbox.Name, mailbox.Paused, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Replaces only a mailbox's secrets: a refresh token the provider rotated.</summary>
    public async Task SaveCredentialAsync(MailboxDefinition mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE mailboxes SET secrets = @secrets, updated_at = @now WHERE name = @name";
        AddParameters(command, mailbox);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM mailboxes WHERE name = @name; DELETE FROM paused_mailboxes WHERE name = @name;";
        command.AddText("@name", name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task SetPausedAsync(System.Data.Common.DbConnection connection, string name, bool paused, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = paused
            ? "INSERT INTO paused_mailboxes (name, paused_at) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING"
            : "DELETE FROM paused_mailboxes WHERE name = @name";
        command.AddText("@name", name);
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void AddParameters(System.Data.Common.DbCommand command, MailboxDefinition mailbox)
    {
        var (settings, secrets) = FromDefinition(mailbox);
        var settingsJson = JsonSerializer.Serialize(settings, MailboxJson.Default.StoredSettings);
        command.AddText("@name", mailbox.Name);
        command.AddText("@settings", settingsJson);
        command.AddBytes("@secrets", vault.Seal(Binding(mailbox.Name, settingsJson), JsonSerializer.Serialize(secrets, MailboxJson.Default.StoredSecrets)));
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
    }

    /// <summary>Changes whenever anything stored of the mailbox changes (settings, secrets, pause), and says nothing of them.</summary>
    public static string Fingerprint(MailboxDefinition mailbox)
    {
        if (mailbox.Credential is UnreadableCredential)
        {
            return $"unreadable|{mailbox.Paused}|{mailbox}";
        }

        var (settings, secrets) = FromDefinition(mailbox);
        var text = JsonSerializer.Serialize(settings, MailboxJson.Default.StoredSettings) + "\n" + JsonSerializer.Serialize(secrets, MailboxJson.Default.StoredSecrets) + "\n" + mailbox.Paused;
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    // Secrets are sealed to their mailbox's name and settings: a row whose host or token_url was
    // altered in the database (by someone without the key) no longer opens, so its credentials
    // are never sent to the altered destination.
    private static string Binding(string name, string settingsJson) => name + "\n" + settingsJson;

    private static (StoredSettings Settings, StoredSecrets Secrets) FromDefinition(MailboxDefinition mailbox)
    {
        var oauth2 = mailbox.Credential as OAuth2Credential;
        var settings = new StoredSettings(
            MailboxText.Of(mailbox.Protocol),
            mailbox.Server,
            mailbox.Port,
            MailboxText.Of(mailbox.Security),
            mailbox.Username,
            mailbox.Folders,
            (int)mailbox.CheckInterval.TotalSeconds,
            oauth2 is null ? null : new StoredOAuth2(oauth2.TokenUrl, oauth2.ClientId, oauth2.Scope));
        var secrets = mailbox.Credential switch
        {
            PasswordCredential password => new StoredSecrets(password.Password, null, null),
            OAuth2Credential token => new StoredSecrets(null, token.ClientSecret, token.RefreshToken),
            _ => throw new InvalidOperationException($"{mailbox.Name}: {mailbox.Credential} credentials cannot be stored"),
        };
        return (settings, secrets);
    }

    private static MailboxDefinition ToDefinition(string name, StoredSettings settings, StoredSecrets? secrets)
    {
        MailCredential credential = (settings.OAuth2, secrets) switch
        {
            (_, null) => new UnreadableCredential(),
            (null, { Password: { } password }) => new PasswordCredential(password),
            ({ } oauth2, { RefreshToken: { } refreshToken }) => new OAuth2Credential(oauth2.TokenUrl, oauth2.ClientId, secrets.ClientSecret, refreshToken, oauth2.Scope),
            _ => new UnreadableCredential(),
        };
        return new MailboxDefinition
        {
            Name = name,
            Protocol = MailboxText.Protocol(settings.Protocol),
            Server = settings.Host,
            Port = settings.Port,
            Security = MailboxText.Security(settings.Security),
            Username = settings.Username,
            Credential = credential,
            Folders = settings.Folders,
            CheckInterval = TimeSpan.FromSeconds(settings.CheckInterval),
        };
    }
}
