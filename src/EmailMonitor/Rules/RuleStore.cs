using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using EmailMonitor.Storage;

namespace EmailMonitor.Rules;

/// <summary>
/// Rules in the service's database (either engine). Every change moves one revision number in the
/// same transaction, so an instance learns whether the rules it holds are current from one read.
/// </summary>
internal sealed class RuleStore(Database database, TimeProvider time, ILogger<RuleStore> logger)
{
    /// <summary>Every rule runs on every email: a bound on the rules bounds the work per email.</summary>
    public const int MaxRules = 200;

    public async Task<long> RevisionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await RevisionAsync(connection, null, cancellationToken);
    }

    /// <summary>Every rule with the revision it belongs to (read first: a change in between is seen at the next read).</summary>
    public async Task<(long Revision, IReadOnlyList<StoredRule> Rules)> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var revision = await RevisionAsync(connection, null, cancellationToken);
        return (revision, await ReadAsync(connection, null, cancellationToken));
    }

    public async Task<StoredRule?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await ReadAsync(connection, id, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Stores a new rule and returns its id, or null when there are <see cref="MaxRules"/> already.</summary>
    public async Task<long?> CreateAsync(RuleDefinition rule, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        // The revision row first: it is what makes two creations on two instances count one after the other.
        await BumpAsync(connection, transaction, cancellationToken);
        await using (var count = connection.Command("SELECT count(*) FROM rules", transaction))
        {
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) >= MaxRules)
            {
                return null;
            }
        }

        await using var insert = connection.Command(
            "INSERT INTO rules (definition, created_at, updated_at) VALUES (@definition, @now, @now) RETURNING id", transaction);
        insert.AddText("@definition", rule.ToJson());
        insert.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<bool> UpdateAsync(long id, RuleDefinition rule, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await BumpAsync(connection, transaction, cancellationToken);
        await using var update = connection.Command("UPDATE rules SET definition = @definition, updated_at = @now WHERE id = @id", transaction);
        update.AddText("@definition", rule.ToJson());
        update.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        update.AddInt64("@id", id);
        var changed = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await BumpAsync(connection, transaction, cancellationToken);
        await using var delete = connection.Command("DELETE FROM rules WHERE id = @id", transaction);
        delete.AddInt64("@id", id);
        var deleted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private static async Task BumpAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync("UPDATE rules_revision SET revision = revision + 1", cancellationToken, transaction);

    private static async Task<long> RevisionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT revision FROM rules_revision", transaction);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, CultureInfo.InvariantCulture);
    }

    private async Task<List<StoredRule>> ReadAsync(DbConnection connection, long? id, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT id, definition, created_at, updated_at FROM rules{(id is null ? string.Empty : " WHERE id = @id")} ORDER BY id");
        if (id is not null)
        {
            command.AddInt64("@id", id);
        }

        var rules = new List<StoredRule>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            try
            {
                var definition = RuleDefinition.FromJson(reader.GetString(1));
                if (definition is not { Name: not null, Match: not null, Actions: not null })
                {
                    throw new JsonException("name, match or actions is null");
                }

                rules.Add(new StoredRule(reader.GetInt64(0), definition, StoredTime.Parse(reader.GetString(2)), StoredTime.Parse(reader.GetString(3))));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidCastException)
            {
                // Written by this service after validation, so a hand edit of the database: the other rules still apply.
                logger.RuleUnreadable(reader.GetInt64(0), ex.Message);
            }
        }

        return rules;
    }
}
