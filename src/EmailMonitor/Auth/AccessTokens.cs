using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EmailMonitor.Auth;

/// <summary>
/// Issues and checks HS256 access tokens. Validation is strict: the algorithm is pinned, the
/// signature, issuer and audience must match, and <c>exp</c> must be present and is checked
/// against the service's own clock.
/// </summary>
internal sealed class AccessTokens(SigningKeyRing keys, IOptions<AuthOptions> options, TimeProvider time)
{
    private const int MaxTokenBytes = 8 * 1024;

    private readonly JsonWebTokenHandler _handler = new()
    {
        SetDefaultTimesOnTokenCreation = false,
        MaximumTokenSizeInBytes = MaxTokenBytes,
    };

    public IssuedAccessToken Issue(string username, string role, string sessionId)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = username,
                ["role"] = role,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [JwtRegisteredClaimNames.Sid] = sessionId,
            },
        });
        return new IssuedAccessToken(token, expiresAt);
    }

    public async Task<AccessTokenCheck> ValidateAsync(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenBytes || !_handler.CanReadToken(token))
        {
            return AccessTokenCheck.Invalid;
        }

        string? kid;
        try
        {
            kid = _handler.ReadJsonWebToken(token).Kid;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            return AccessTokenCheck.Invalid;
        }

        if (await keys.ForValidationAsync(kid, CancellationToken.None) is not { } key)
        {
            return AccessTokenCheck.Invalid;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = AuthOptions.Issuer,
            ValidAudience = AuthOptions.Audience,
            // The one key named by kid (the root for a token without one): nothing else is tried.
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            // Lifetime is checked below against TimeProvider, which the handler does not use.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return AccessTokenCheck.Invalid;
        }

        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp)
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var username)
            || !jwt.TryGetPayloadValue<string>("role", out var role)
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sid, out var sessionId)
            || !Roles.IsKnown(role))
        {
            return AccessTokenCheck.Invalid;
        }

        var now = time.GetUtcNow();
        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var notBefore)
            && DateTimeOffset.FromUnixTimeSeconds(notBefore) > now + AuthOptions.ClockSkew)
        {
            return AccessTokenCheck.Invalid;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (now >= expiresAt + AuthOptions.ClockSkew)
        {
            return AccessTokenCheck.Expired;
        }

        return new AccessTokenCheck(AccessTokenStatus.Valid, new AuthenticatedUser(username, role, sessionId, expiresAt));
    }
}
