using System.Data;
using System.Data.Common;

namespace EmailMonitor.Storage;

/// <summary>Typed parameters, so both engines receive the same types (a null included).</summary>
internal static class DbCommands
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbParameter AddText(this DbCommand command, string name, string? value) => command.Add(name, DbType.String, value);

    public static DbParameter AddInt64(this DbCommand command, string name, long? value) => command.Add(name, DbType.Int64, value);

    public static DbParameter AddBoolean(this DbCommand command, string name, bool value) => command.Add(name, DbType.Boolean, value);

    public static DbParameter AddBytes(this DbCommand command, string name, byte[] value) => command.Add(name, DbType.Binary, value);

    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        if (sql.Length == 0)
        {
            return 0;
        }

        await using var command = connection.Command(sql, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbParameter Add(this DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
