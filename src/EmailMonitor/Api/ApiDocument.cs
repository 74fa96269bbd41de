using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmailMonitor.Api;

/// <summary>What <c>/openapi/v1.json</c> says about the API as a whole: its name and how to sign in.</summary>
internal sealed class ApiDocument : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string Scheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Email Monitor",
            Version = "v1",
            Description = "Stored email events, statistics and administration. Sign in with POST /api/auth/login and send the access token as 'Authorization: Bearer <token>'. New email arrives in real time over the WebSocket at / (see docs/asyncapi.yaml).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from /api/auth/login or /api/auth/refresh.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Marks the operations that need a token, so clients and tools know to send one.</summary>
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
        }

        return Task.CompletedTask;
    }
}
