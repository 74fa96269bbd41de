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
    UnknownAccountLockouts unknownAccounts,
    ServiceMetrics metrics,
    TimeProvider time)
{
    public const int MaxPasswordLength = 1024;

    public async Task<AuthOutcome> LoginAsync(string username, string password, IPAddress? ip, CancellationToken cancellationToken)
    {
        // Before any hashing: each attempt costs a deliberately slow hash, so the budget is small.
        if (!rateLimits.TryLogin(ip, out _))
        {
            metrics.RateLimitExceeded("login");
            securityLog.RateLimited(ip, username, "login attempts");
            return AuthOutcome.Failed(AuthFailure.RateLimited);
        }

        var user = UserNames.IsValid(username) && password.Length is > 0 and <= MaxPasswordLength
            ? await users.FindAsync(username, cancellationToken)
            : null;

        var now = time.GetUtcNow();
        if (user is null || user.Disabled)
        {
            // Exactly what a real account would cost and answer, lock included.
            hasher.SpendVerificationTime(password.Length <= MaxPasswordLength ? password : string.Empty);
            if (!UserNames.IsValid(username))
            {
                // No account can have this name, so refusing it reveals nothing.
                return Fail(AuthFailure.AuthFailed, ip, username, "malformed credentials");
            }

            if (unknownAccounts.IsLocked(username))
            {
                return Fail(AuthFailure.AccountLocked, ip, username, "account locked");
            }

            var lockUntil = now + options.Value.LockoutDuration;
            if (unknownAccounts.RecordFailure(username, options.Value.MaxLoginAttempts, lockUntil))
            {
                securityLog.AccountLocked(ip, username, lockUntil);
            }

            return Fail(AuthFailure.AuthFailed, ip, username, user is null ? "unknown user" : "account disabled");
        }

        if (user.LockedUntil > now)
        {
            hasher.SpendVerificationTime(password);
            return Fail(AuthFailure.AccountLocked, ip, username, "account locked");
        }

        if (!PasswordHasher.Verify(password, user.PasswordHash))
        {
            var lockUntil = now + options.Value.LockoutDuration;
            if (await users.RecordFailureAsync(user.Username, options.Value.MaxLoginAttempts, lockUntil, cancellationToken))
            {
                securityLog.AccountLocked(ip, user.Username, lockUntil);
            }

            return Fail(AuthFailure.AuthFailed, ip, username, "wrong password");
        }

        await users.RecordSuccessAsync(user.Username, cancellationToken);
        var sessionId = Guid.NewGuid().ToString("N");
        var access = accessTokens.Issue(user.Username, user.Role, sessionId);
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

    public Task LogoutAsync(AuthenticatedUser user, CancellationToken cancellationToken) =>
        refreshTokens.RevokeFamilyAsync(user.SessionId, cancellationToken);

    private AuthOutcome Fail(AuthFailure failure, IPAddress? ip, string username, string reason)
    {
        securityLog.LoginFailed(ip, username, reason);
        metrics.AuthenticationFailed(failure == AuthFailure.AccountLocked ? "account_locked" : "auth_failed");
        return AuthOutcome.Failed(failure);
    }

    private AuthOutcome Reject(AuthFailure failure, IPAddress? ip, string? username, string reason)
    {
        securityLog.TokenRejected(ip, username, reason);
        metrics.AuthenticationFailed(failure == AuthFailure.TokenRevoked ? "token_revoked" : "invalid_token");
        return AuthOutcome.Failed(failure);
    }
}
