using System.Security.Cryptography;
using EmailMonitor.Configuration;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

/// <summary>Creates the first administrator from ADMIN_USERNAME/ADMIN_PASSWORD when there are no users yet.</summary>
internal sealed class AdminBootstrap(
    UserStore users,
    IOptions<AuthOptions> auth,
    IOptions<ServiceOptions> service,
    TimeProvider time,
    ILogger<AdminBootstrap> logger)
{
    /// <summary>Returns a configuration problem when the administrator cannot be created, else null.</summary>
    public async Task<string?> EnsureAdminAsync(TextWriter console, CancellationToken cancellationToken)
    {
        if (await users.CountAsync(cancellationToken) > 0)
        {
            return null;
        }

        var username = auth.Value.AdminUsername;
        var password = auth.Value.AdminPassword;
        if (password.Length == 0)
        {
            if (!service.Value.IsDevelopment)
            {
                return $"ADMIN_PASSWORD: required on first start when ENVIRONMENT={service.Value.Environment.ToString().ToLowerInvariant()}";
            }

            password = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
            // Printed once to the console only, never to a log file.
            await console.WriteLineAsync($"Created development administrator '{username}' with password: {password}");
            await console.WriteLineAsync("This password is shown once; set ADMIN_PASSWORD to choose your own.");
        }

        await users.CreateAsync(username, PasswordHasher.Hash(password), Roles.Admin, time.GetUtcNow(), cancellationToken);
        logger.AdminCreated(username);
        return null;
    }
}
