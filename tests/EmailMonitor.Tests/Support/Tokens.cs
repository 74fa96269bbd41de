using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EmailMonitor.Tests.Support;

/// <summary>Hand-made JWTs, honest and forged, for tests of token validation.</summary>
internal static class Tokens
{
    public static string Create(
        string secret,
        DateTimeOffset now,
        string issuer = "email-monitor",
        string audience = "email-monitor",
        string algorithm = SecurityAlgorithms.HmacSha256,
        bool withExpiry = true,
        TimeSpan? notBeforeIn = null,
        string subject = "admin",
        string sessionId = "session",
        string? keyId = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["role"] = "admin",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sid"] = sessionId,
        };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = (now + (notBeforeIn ?? TimeSpan.Zero)).UtcDateTime,
            Expires = withExpiry ? now.AddMinutes(15 + (notBeforeIn ?? TimeSpan.Zero).TotalMinutes).UtcDateTime : null,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = keyId }, algorithm),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token ("alg":"none") with otherwise valid claims.</summary>
    public static string Unsigned(DateTimeOffset now)
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var payload = Base64UrlEncoder.Encode(
            $"{{\"sub\":\"admin\",\"role\":\"admin\",\"sid\":\"session\",\"iss\":\"email-monitor\",\"aud\":\"email-monitor\",\"iat\":{now.ToUnixTimeSeconds()},\"exp\":{now.AddMinutes(15).ToUnixTimeSeconds()}}}");
        return $"{header}.{payload}.";
    }

    /// <summary>The token with its payload changed (sub swapped) and the original signature kept.</summary>
    public static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"sub\":\"admin\"", "\"sub\":\"root\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }
}
