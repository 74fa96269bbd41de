namespace EmailMonitor.Auth;

internal enum UserChange
{
    Done,
    NotFound,

    /// <summary>Refused: the service would be left without an enabled administrator.</summary>
    LastAdministrator,

    /// <summary>Refused: the name is taken.</summary>
    Exists,

    /// <summary>Refused: a field breaks its rule.</summary>
    Invalid,
}
