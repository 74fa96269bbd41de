using System.Net;
using EmailMonitor.Auth;
using EmailMonitor.Security;

namespace EmailMonitor.Api;

/// <summary>
/// <c>/api/admin/blocked-ips</c>: every refused address, listed or blocked, and lifting a block.
/// Administrators only.
/// </summary>
internal static class BlockedIpsApi
{
    public static IEndpointRouteBuilder MapBlockedIpsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/blocked-ips").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", List)
            .WithSummary("Refused addresses: listed in BLOCKED_IPS and blocked automatically, with reason and expiry");
        group.MapDelete("/{ip}", Lift)
            .WithSummary("Lift an automatic block")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    private static IReadOnlyList<BlockedIpResponse> List(BlockList blocks, NetworkRules rules) =>
    [
        .. rules.Blocked.Select(network => new BlockedIpResponse(network.ToString(), "configuration", "listed in BLOCKED_IPS", null, null)),
        .. blocks.Active().Select(block => new BlockedIpResponse(NetworkRules.Describe(block.Address), "automatic", block.Reason, block.BlockedAt, block.ExpiresAt)),
    ];

    private static IResult Lift(string ip, BlockList blocks, NetworkRules rules, HttpContext context, SecurityLog securityLog)
    {
        // An address, or a blocked network as listed ("2001:db8:1:2::/64", its slash encoded).
        var text = Uri.UnescapeDataString(ip);
        if (!IPAddress.TryParse(text, out var address) && IPNetwork.TryParse(text, out var network))
        {
            address = network.BaseAddress;
        }

        if (address is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"'{ip}' is not an IP address.");
        }

        if (rules.IsListedAsBlocked(address))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: "This address is listed in BLOCKED_IPS; change the configuration to admit it.");
        }

        if (!blocks.Lift(address))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "This address is not blocked.");
        }

        securityLog.BlockLifted(context.Connection.RemoteIpAddress, context.User.Identity?.Name, address.ToString());
        return Results.NoContent();
    }
}
