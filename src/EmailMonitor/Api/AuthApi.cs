using EmailMonitor.Auth;

namespace EmailMonitor.Api;

/// <summary><c>POST /api/auth/login</c> and <c>/api/auth/refresh</c>: the WebSocket's tokens, over HTTP.</summary>
internal static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/login", LoginAsync)
            .WithSummary("Sign in with a user name and password")
            .Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/refresh", RefreshAsync)
            .WithSummary("Trade a refresh token for a new pair; the old one is retired")
            .Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext context, AuthService auth, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The body needs 'username' and 'password'.");
        }

        var outcome = await auth.LoginAsync(request.Username, request.Password, context.Connection.RemoteIpAddress, cancellationToken);
        return Answer(outcome, context, time);
    }

    private static async Task<IResult> RefreshAsync(RefreshRequest request, HttpContext context, AuthService auth, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The body needs 'refresh_token'.");
        }

        var outcome = await auth.RefreshAsync(request.RefreshToken, context.Connection.RemoteIpAddress, cancellationToken);
        return Answer(outcome, context, time);
    }

    private static IResult Answer(AuthOutcome outcome, HttpContext context, TimeProvider time)
    {
        if (outcome.Succeeded)
        {
            var user = outcome.User!;
            var expiresIn = Math.Max(0, (long)Math.Round((user.ExpiresAt - time.GetUtcNow()).TotalSeconds));
            return Results.Ok(new TokenResponse(outcome.AccessToken!, outcome.RefreshToken!, "Bearer", expiresIn, user.Username, user.Role));
        }

        var (code, message) = AuthFailureMessages.For(outcome.Failure!.Value);
        if (outcome.Failure == AuthFailure.RateLimited)
        {
            context.Response.Headers.RetryAfter = "60";
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: message, extensions: new Dictionary<string, object?> { ["code"] = code });
        }

        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: message, extensions: new Dictionary<string, object?> { ["code"] = code });
    }
}
