using System.Net;
using EmailMonitor.Observability;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

/// <summary>
/// Logins, token checks, refresh and logout, shared by the WebSocket and the REST API. Answers
/// are generic (a wrong name and a wrong password look and take the same); details go to the
/// security log only.
/// </summary>
internal sealed class AuthService(
    UserStore users,
    PasswordHasher hasher,
    AccessTokens accessTokens,
    RefreshTokenStore refreshTokens,
    IOptions<AuthOptions> options,
    SecurityLog securityLog,
    RateLimits rateLimits,
    LoginThrottle throttle,
    ServiceMetrics metrics)
{
    public const int MaxPasswordLength = 1024;

    /// <summary>
    /// Raised with a session id when that login ends, so every connection using it, whichever
    /// token it authenticated with, ends too.
    /// </summary>
    public event Action<string, LoginEnd>? LoginEnded;

    public async Task<AuthOutcome> LoginAsync(string username, string password, IPAddress? ip, CancellationToken cancellationToken)
    {
        // Before any hashing: each attempt costs a deliberately slow hash, so the budget is small.
        if (!rateLimits.TryLogin(ip, out _))
        {
            metrics.RateLimitExceeded("login");
            securityLog.RateLimited(ip, username, "login attempts");
            return AuthOutcome.Failed(AuthFailure.RateLimited);
        }

        // Every answer below is the same whether or not the name is an account, in time as in
        // content: the throttle counts names, not accounts, and a missing or disabled account, an
        // empty or over-long password are checked against the decoy like any wrong password.
        if (!UserNames.IsValid(username))
        {
            // No account can have this name, so refusing it at once reveals nothing; it is not counted.
            return Fail(AuthFailure.AuthFailed, ip, username, "malformed credentials");
        }

        switch (throttle.Check(username, ip, out _))
        {
            case LoginVerdict.Locked:
                return Fail(AuthFailure.AccountLocked, ip, username, "locked out from this address");
            case LoginVerdict.SlowedDown:
                return Defer(ip, username, "login attempts on this account from many addresses: slowed down");
        }

        var user = await users.FindAsync(username, cancellationToken);
        var usable = user is { Disabled: false } && password.Length is > 0 and <= MaxPasswordLength;
        var verified = await hasher.CheckLoginAsync(usable ? password : string.Empty, usable ? user!.PasswordHash : null, cancellationToken);
        if (verified is null)
        {
            return Defer(ip, username, "every password check slot stayed busy");
        }

        if (verified != true)
        {
            if (throttle.RecordFailure(username, ip, out var lockedUntil))
            {
                securityLog.AccountLocked(ip, username, lockedUntil);
            }

            return Fail(AuthFailure.AuthFailed, ip, username, user is null ? "unknown user" : user.Disabled ? "account disabled" : "wrong password");
        }

        // Attempts sent together all pass the throttle before any is counted: one that hashed
        // after this address got locked out does not get in, right password or not.
        if (throttle.Check(username, ip, out _) == LoginVerdict.Locked)
        {
            return Fail(AuthFailure.AccountLocked, ip, username, "locked out from this address");
        }

        throttle.RecordSuccess(username, ip);
        var sessionId = Guid.NewGuid().ToString("N");
        var access = accessTokens.Issue(user!.Username, user.Role, sessionId);
        var refresh = await refreshTokens.IssueAsync(user.Username, sessionId, options.Value.RefreshTokenLifetime, cancellationToken);
        securityLog.LoginSucceeded(ip, user.Username);
        return new AuthOutcome(null, new AuthenticatedUser(user.Username, user.Role, sessionId, access.ExpiresAt), access.Token, refresh);
    }

    public async Task<AuthOutcome> AuthenticateTokenAsync(string token, IPAddress? ip, CancellationToken cancellationToken)
    {
        var check = await accessTokens.ValidateAsync(token);
        switch (check.Status)
        {
            case AccessTokenStatus.Expired:
                return AuthOutcome.Failed(AuthFailure.TokenExpired);
            case AccessTokenStatus.Invalid:
                return Reject(AuthFailure.InvalidToken, ip, null, "bad signature, algorithm, issuer, audience or claims");
        }

        var claimed = check.User!;
        var user = await users.FindAsync(claimed.Username, cancellationToken);
        if (user is null || user.Disabled)
        {
            return Reject(AuthFailure.InvalidToken, ip, claimed.Username, "user no longer exists or is disabled");
        }

        if (await refreshTokens.IsFamilyRevokedAsync(claimed.SessionId, cancellationToken))
        {
            return Reject(AuthFailure.TokenRevoked, ip, claimed.Username, "the login was logged out or revoked");
        }

        // The role comes from the account, so a changed role takes effect at the next authentication.
        return new AuthOutcome(null, claimed with { Username = user.Username, Role = user.Role });
    }

    public async Task<AuthOutcome> RefreshAsync(string refreshToken, IPAddress? ip, CancellationToken cancellationToken)
    {
        var outcome = await refreshTokens.RotateAsync(refreshToken, options.Value.RefreshTokenLifetime, cancellationToken);
        switch (outcome.Status)
        {
            case RefreshStatus.Unknown:
                return Reject(AuthFailure.InvalidToken, ip, null, "unknown refresh token");
            case RefreshStatus.Expired:
                return AuthOutcome.Failed(AuthFailure.TokenExpired);
            case RefreshStatus.Revoked:
                return Reject(AuthFailure.TokenRevoked, ip, outcome.Username, "refresh token of a revoked login");
            case RefreshStatus.Reused:
                securityLog.RefreshTokenReused(ip, outcome.Username!);
                metrics.AuthenticationFailed("token_revoked");
                LoginEnded?.Invoke(outcome.SessionId!, LoginEnd.Revoked);
                return AuthOutcome.Failed(AuthFailure.TokenRevoked);
        }

        var user = await users.FindAsync(outcome.Username!, cancellationToken);
        if (user is null || user.Disabled)
        {
            await refreshTokens.RevokeFamilyAsync(outcome.SessionId!, cancellationToken);
            return Reject(AuthFailure.InvalidToken, ip, outcome.Username, "user no longer exists or is disabled");
        }

        var access = accessTokens.Issue(user.Username, user.Role, outcome.SessionId!);
        return new AuthOutcome(null, new AuthenticatedUser(user.Username, user.Role, outcome.SessionId!, access.ExpiresAt), access.Token, outcome.NewToken);
    }

    /// <summary>Whether a login (session) has not been logged out or revoked.</summary>
    public async Task<bool> IsLoginActiveAsync(string sessionId, CancellationToken cancellationToken) =>
        !await refreshTokens.IsFamilyRevokedAsync(sessionId, cancellationToken);

    public async Task LogoutAsync(AuthenticatedUser user, CancellationToken cancellationToken)
    {
        await refreshTokens.RevokeFamilyAsync(user.SessionId, cancellationToken);
        LoginEnded?.Invoke(user.SessionId, LoginEnd.LoggedOut);
    }

    private AuthOutcome Fail(AuthFailure failure, IPAddress? ip, string username, string reason)
    {
        securityLog.LoginFailed(ip, username, reason);
        metrics.AuthenticationFailed(failure == AuthFailure.AccountLocked ? "account_locked" : "auth_failed");
        return AuthOutcome.Failed(failure);
    }

    private AuthOutcome Defer(IPAddress? ip, string username, string why)
    {
        metrics.RateLimitExceeded("login");
        securityLog.LoginDeferred(ip, username, why);
        return AuthOutcome.Failed(AuthFailure.RateLimited);
    }

    private AuthOutcome Reject(AuthFailure failure, IPAddress? ip, string? username, string reason)
    {
        securityLog.TokenRejected(ip, username, reason);
        metrics.AuthenticationFailed(failure == AuthFailure.TokenRevoked ? "token_revoked" : "invalid_token");
        return AuthOutcome.Failed(failure);
    }
}
