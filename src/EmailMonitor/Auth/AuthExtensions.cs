using EmailMonitor.Configuration;

namespace EmailMonitor.Auth;

internal static class AuthExtensions
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(AuthOptions.Section);
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddSingleton<SigningKey>();
        builder.Services.AddSingleton<SigningKeyRing>();
        builder.Services.AddHostedService<SigningKeyRotation>();
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<RefreshTokenStore>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<AuthService>();
        builder.Services.AddSingleton<UserAdministration>();
        builder.Services.AddSingleton<MailboxAccess>();
        builder.Services.AddSingleton<AdminBootstrap>();
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Viewer, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(AuthPolicies.Admin, policy => policy.RequireRole(Roles.Admin));
        return builder;
    }
}
