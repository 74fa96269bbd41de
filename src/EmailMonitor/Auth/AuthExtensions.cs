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
        // The authentication core alone, without AddAuthentication's data protection, which no
        // bearer token needs: its key ring was made at every start (an XML key, a warning where
        // the home directory is not writable) and kept the XML stack resident.
        builder.Services.AddAuthenticationCore(options =>
        {
            options.DefaultScheme = BearerTokenHandler.SchemeName;
            options.AddScheme<BearerTokenHandler>(BearerTokenHandler.SchemeName, displayName: null);
        });
        builder.Services.AddWebEncoders();
        builder.Services.AddTransient<BearerTokenHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Viewer, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(AuthPolicies.Admin, policy => policy.RequireRole(Roles.Admin));
        return builder;
    }
}
