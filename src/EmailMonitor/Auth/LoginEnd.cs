namespace EmailMonitor.Auth;

/// <summary>How a login (one session of tokens) ended.</summary>
internal enum LoginEnd
{
    /// <summary>Its user logged out.</summary>
    LoggedOut,

    /// <summary>Its refresh token was presented twice: someone else may hold it, so the whole login is revoked.</summary>
    Revoked,
}
