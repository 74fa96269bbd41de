using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A small OAuth 2.0 authorization server for the tests: a token endpoint that trades refresh
/// tokens for short-lived access tokens and rotates them (a reused refresh token revokes its
/// whole grant, as providers do), and the introspection endpoint Dovecot's oauth2 passdb asks.
/// </summary>
internal sealed class OAuth2Server : IAsyncDisposable
{
    public const string ClientId = "email-monitor-test";
    public const string ClientSecret = "client-secret-for-tests";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string User, string Grant, DateTimeOffset Expires)> _accessTokens = new();
    private readonly ConcurrentDictionary<string, (string User, string Grant, bool Used)> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, bool> _revokedGrants = new();
    private int _refreshes;

    private OAuth2Server(WebApplication app)
    {
        _app = app;
        var port = FreePort.Next();
        app.Urls.Add($"http://127.0.0.1:{port}");
        BaseUri = new Uri($"http://127.0.0.1:{port}");
        app.MapPost("/token", TokenAsync);
        app.MapPost("/introspect", IntrospectAsync);
    }

    public Uri BaseUri { get; }

    public string TokenUrl => new Uri(BaseUri, "/token").ToString();

    public string IntrospectionUrl => new Uri(BaseUri, "/introspect").ToString();

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every refresh token handed out so far, spent or not.</summary>
    public IReadOnlyList<string> IssuedRefreshTokens => [.. _refreshTokens.Keys];

    /// <summary>Successful refreshes so far.</summary>
    public int Refreshes => Volatile.Read(ref _refreshes);

    public static async Task<OAuth2Server> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var server = new OAuth2Server(builder.Build());
        await server._app.StartAsync();
        return server;
    }

    /// <summary>A user authorized the monitor: the refresh token of a new grant.</summary>
    public string Grant(string user)
    {
        var refreshToken = NewToken("rt");
        _refreshTokens[refreshToken] = (user, NewToken("grant"), false);
        return refreshToken;
    }

    /// <summary>The refresh token of the user's grant that is good now, if any.</summary>
    public string? CurrentRefreshToken(string user) =>
        _refreshTokens.Where(t => t.Value.User == user && !t.Value.Used && !_revokedGrants.ContainsKey(t.Value.Grant)).Select(t => t.Key).SingleOrDefault();

    /// <summary>The user withdrew consent: every token of every grant stops working.</summary>
    public void Revoke(string user)
    {
        foreach (var grant in _refreshTokens.Values.Where(t => t.User == user).Select(t => t.Grant))
        {
            _revokedGrants[grant] = true;
        }
    }

    /// <summary>Access tokens issued so far stop working, as after a provider-side reset; refresh still works.</summary>
    public void InvalidateAccessTokens() => _accessTokens.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "refresh_token" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var presented = form["refresh_token"].ToString();
        if (!_refreshTokens.TryGetValue(presented, out var grant) || _revokedGrants.ContainsKey(grant.Grant))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        if (grant.Used)
        {
            // Reuse of a rotated refresh token: someone holds a stolen copy, so the grant ends.
            _revokedGrants[grant.Grant] = true;
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        _refreshTokens[presented] = grant with { Used = true };
        var accessToken = NewToken("at");
        var refreshToken = NewToken("rt");
        _accessTokens[accessToken] = (grant.User, grant.Grant, DateTimeOffset.UtcNow + AccessTokenLifetime);
        _refreshTokens[refreshToken] = (grant.User, grant.Grant, false);
        Interlocked.Increment(ref _refreshes);
        return Results.Json(new
        {
            access_token = accessToken,
            token_type = "Bearer",
            expires_in = (int)AccessTokenLifetime.TotalSeconds,
            refresh_token = refreshToken,
        });
    }

    private async Task<IResult> IntrospectAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var active = _accessTokens.TryGetValue(form["token"].ToString(), out var token)
            && token.Expires > DateTimeOffset.UtcNow
            && !_revokedGrants.ContainsKey(token.Grant);
        // Dovecot compares the attribute's text with active_value, so "true" travels as a string.
        return active ? Results.Json(new { active = "true", username = token.User }) : Results.Json(new { active = "false" });
    }

    private static string NewToken(string kind) => $"{kind}-{RandomNumberGenerator.GetHexString(32, lowercase: true)}";
}
