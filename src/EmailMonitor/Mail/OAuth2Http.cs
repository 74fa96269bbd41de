namespace EmailMonitor.Mail;

/// <summary>The one HTTP client that talks to OAuth2 token endpoints: short timeouts, no redirects (a refresh token is never sent on to another address).</summary>
internal sealed class OAuth2Http : IDisposable
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(15),
        // A token answer is a few kilobytes; a larger one is not read into memory.
        MaxResponseContentBufferSize = 64 * 1024,
    };

    public void Dispose() => Client.Dispose();
}
