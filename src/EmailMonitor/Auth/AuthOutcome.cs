namespace EmailMonitor.Auth;

/// <summary>The result of a login, token check or refresh: a user (and new tokens, where issued) or a failure.</summary>
internal sealed record AuthOutcome(AuthFailure? Failure, AuthenticatedUser? User = null, string? AccessToken = null, string? RefreshToken = null)
{
    public bool Succeeded => Failure is null;

    public static AuthOutcome Failed(AuthFailure failure) => new(failure);
}
