namespace EmailMonitor.Storage;

/// <summary>Kinds of write that must not overlap, each with its own lock (see <see cref="SqlDialect.Lock"/>).</summary>
internal enum Writers
{
    /// <summary>Appends to the events table: ids are handed out in commit order.</summary>
    EventLog = 1,

    /// <summary>Schema steps: instances starting together migrate one at a time.</summary>
    Schema = 2,

    /// <summary>Changes to users: the last enabled administrator is never removed by two changes at once.</summary>
    Users = 3,

    /// <summary>Rotations of the signing keys: instances on one schedule rotate once.</summary>
    SigningKeys = 4,
}
