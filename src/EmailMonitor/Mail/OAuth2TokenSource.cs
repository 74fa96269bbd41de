using System.Text.Json.Serialization;

namespace EmailMonitor.Mail;

/// <summary>
/// One mailbox's OAuth 2.0 access token, shared by all its sessions: obtained from the token
/// endpoint with the refresh token when none is held, when less than a minute (or a tenth of its
/// life) remains, or when the mail server refused it; one refresh at a time, so a provider that
/// rotates refresh tokens never sees the same one twice. A rotated refresh token is saved at once.
/// </summary>
internal sealed class OAuth2TokenSource(
    string mailbox,
    OAuth2Credential credential,
    HttpClient http,
    Func<OAuth2Credential, OAuth2Credential, CancellationToken, Task> saveRotated,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    // RFC 6750 §2.1 b64token: what may travel in a SASL bearer message without breaking its framing.
    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=");

    private const int MaxTokenLength = 8192;

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private OAuth2Credential _credential = credential;

    // The credential as last stored: a rotation is stored as a change from it, so the store can
    // tell it from a credential an administrator replaced meanwhile.
    private OAuth2Credential _stored = credential;
    private string? _accessToken;
    private DateTimeOffset _refreshAt;

    // A rotated refresh token that could not be stored yet; stored again at the next refresh.
    private bool _unsaved;

    /// <summary>A usable access token; <paramref name="refused"/> is the one the server just turned down, to be replaced.</summary>
    public async Task<string> GetAsync(string? refused, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (_accessToken is { } held && held != refused && time.GetUtcNow() < _refreshAt)
            {
                return held;
            }

            return await RefreshAsync(cancellationToken);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>The server refused <paramref name="token"/> in a way that ended the session: the next login gets a new one.</summary>
    public void Forget(string token) => Interlocked.CompareExchange(ref _accessToken, null, token);

    private async Task<string> RefreshAsync(CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = _credential.RefreshToken,
            ["client_id"] = _credential.ClientId,
        };
        if (_credential.ClientSecret is { Length: > 0 } secret)
        {
            form["client_secret"] = secret;
        }

        if (_credential.Scope is { Length: > 0 } scope)
        {
            form["scope"] = scope;
        }

        if (_unsaved)
        {
            await SaveAsync();
        }

        TokenAnswer? answer;
        HttpResponseMessage response;
        try
        {
            // Not cancelled by a stop or a change of the mailbox: once the provider has rotated the
            // refresh token, the answer must be read and the new one stored, or the grant is lost.
            using var content = new FormUrlEncodedContent(form);
            response = await http.PostAsync(_credential.TokenUrl, content, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new MailConnectException(ConnectStep.Connect, $"cannot reach the OAuth2 token endpoint {Endpoint()}: {ex.GetType().Name}", ex);
        }

        using (response)
        {
            try
            {
                answer = await response.Content.ReadFromJsonAsync(TokenJson.Default.TokenAnswer, CancellationToken.None);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or HttpRequestException)
            {
                answer = null;
            }

            // A new refresh token is kept before anything else is judged: the old one is already spent.
            if (answer?.RefreshToken is { Length: > 0 and <= MaxTokenLength } rotated && rotated != _credential.RefreshToken && !rotated.Any(char.IsControl))
            {
                _credential = _credential with { RefreshToken = rotated };
                _unsaved = true;
                await SaveAsync();
                logger.RefreshTokenRotated(mailbox);
            }

            if (!response.IsSuccessStatusCode || answer?.AccessToken is not { Length: > 0 and <= MaxTokenLength } accessToken
                || accessToken.AsSpan().ContainsAnyExcept(TokenCharacters))
            {
                // invalid_grant: the grant was revoked or expired; only a person can authorize again.
                var error = answer?.Error is { Length: > 0 and <= 64 } code && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? code : "no access token";
                if (answer?.Error is "invalid_grant" or "invalid_client" or "unauthorized_client" || (int)response.StatusCode is 400 or 401)
                {
                    throw new MailConnectException(
                        ConnectStep.Authentication,
                        $"the OAuth2 token endpoint {Endpoint()} refused to refresh the token ({(int)response.StatusCode}, {error}); authorize the mailbox again and set a new refresh_token");
                }

                // A server error or a garbled answer: the provider's trouble, retried like a network fault.
                throw new MailConnectException(ConnectStep.Connect, $"the OAuth2 token endpoint {Endpoint()} gave no usable token ({(int)response.StatusCode}, {error})");
            }

            var lifetime = TimeSpan.FromSeconds(Math.Clamp(answer.ExpiresIn is { } seconds && double.IsFinite(seconds) ? seconds : 3600, 1, 86_400));
            var early = lifetime / 10 < Margin ? lifetime / 10 : Margin;
            _accessToken = accessToken;
            _refreshAt = time.GetUtcNow() + lifetime - early;

            logger.AccessTokenRefreshed(mailbox, lifetime.TotalSeconds);
            return accessToken;
        }
    }

    private async Task SaveAsync()
    {
        try
        {
            await saveRotated(_stored, _credential, CancellationToken.None);
            _stored = _credential;
            _unsaved = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept in memory and stored again at the next refresh; a restart before that would present a spent token.
            logger.RotatedTokenNotSaved(mailbox, ex);
        }
    }

    // The endpoint without its query, which might hold a secret.
    private string Endpoint() => Uri.TryCreate(_credential.TokenUrl, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(invalid URL)";

    public void Dispose() => _refreshing.Dispose();

    internal sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] double? ExpiresIn,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("error")] string? Error);
}

[JsonSerializable(typeof(OAuth2TokenSource.TokenAnswer))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class TokenJson : JsonSerializerContext;
