using EmailMonitor.Auth;
using EmailMonitor.Security;

namespace EmailMonitor.Api;

/// <summary>
/// <c>/api/admin/signing-keys</c>: the access token signing keys by name and state, and rotating
/// them. Administrators only; key material never leaves the service.
/// </summary>
internal static class SigningKeysApi
{
    public static IEndpointRouteBuilder MapSigningKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/signing-keys").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", List)
            .WithSummary("Signing keys: kid, since when, and whether each signs, validates or is retired");
        group.MapPost("/", RotateAsync)
            .WithSummary("Rotate: a new key signs from now on; tokens signed before keep working until they expire")
            .Produces<SigningKeyState>(StatusCodes.Status201Created);
        return endpoints;
    }

    private static IReadOnlyList<SigningKeyState> List(SigningKeyRing ring) => ring.Describe();

    private static async Task<IResult> RotateAsync(SigningKeyRing ring, HttpContext context, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var kid = (await ring.RotateAsync(null, cancellationToken))!;
        securityLog.SigningKeyRotated(context.Connection.RemoteIpAddress, context.User.Identity?.Name, kid);
        return Results.Created($"/api/admin/signing-keys/{kid}", ring.Describe().Single(key => key.Kid == kid));
    }
}
