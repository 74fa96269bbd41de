using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

/// <summary>
/// Authenticates REST requests by their <c>Authorization: Bearer</c> access token, with the same
/// checks as the WebSocket's <c>token_auth</c> (signature, claims, expiry, revoked login, disabled
/// user). Failures answer 401 and wrong roles 403, as problem details.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, AuthService auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var outcome = await auth.AuthenticateTokenAsync(header["Bearer ".Length..].Trim(), Context.Connection.RemoteIpAddress, Context.RequestAborted);
        if (!outcome.Succeeded)
        {
            return AuthenticateResult.Fail(outcome.Failure!.Value.ToString());
        }

        var user = outcome.User!;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Username), new Claim(ClaimTypes.Role, user.Role), new Claim("sid", user.SessionId)],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "A valid access token is required.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "This needs the admin role.").ExecuteAsync(Context);
}
