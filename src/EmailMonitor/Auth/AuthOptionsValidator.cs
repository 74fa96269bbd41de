using System.Text;
using EmailMonitor.Configuration;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

internal sealed class AuthOptionsValidator(IOptions<ServiceOptions> service) : IValidateOptions<AuthOptions>
{
    public const int MinSecretBytes = 32;
    public const int MinProductionPasswordLength = 12;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var environment = service.Value.Environment.ToString().ToLowerInvariant();

        if (string.IsNullOrEmpty(options.JwtSecretKey))
        {
            if (!service.Value.IsDevelopment)
            {
                failures.Add($"JWT_SECRET_KEY: required when ENVIRONMENT={environment} (at least {MinSecretBytes} random bytes, e.g. from 'openssl rand -base64 48')");
            }
        }
        else if (Encoding.UTF8.GetByteCount(options.JwtSecretKey) < MinSecretBytes)
        {
            failures.Add($"JWT_SECRET_KEY: must be at least {MinSecretBytes} bytes long (e.g. from 'openssl rand -base64 48')");
        }

        if (options.SigningKeyRotation < TimeSpan.Zero || options.SigningKeyRotation > TimeSpan.FromDays(3650))
        {
            failures.Add("JWT_KEY_ROTATION_DAYS: must be between 0 (rotate only on an administrator's call) and 3650");
        }

        if (options.AccessTokenLifetime < TimeSpan.FromMinutes(1) || options.AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            failures.Add("JWT_EXPIRATION_MINUTES: must be between 1 and 1440");
        }

        if (options.RefreshTokenLifetime < TimeSpan.FromDays(1) || options.RefreshTokenLifetime > TimeSpan.FromDays(365))
        {
            failures.Add("JWT_REFRESH_EXPIRATION_DAYS: must be between 1 and 365");
        }

        if (!UserNames.IsValid(options.AdminUsername))
        {
            failures.Add($"ADMIN_USERNAME: {UserNames.Rule}");
        }

        if (!service.Value.IsDevelopment && options.AdminPassword.Length is > 0 and < MinProductionPasswordLength)
        {
            failures.Add($"ADMIN_PASSWORD: must be at least {MinProductionPasswordLength} characters when ENVIRONMENT={environment}");
        }

        if (options.MaxLoginAttempts is < 1 or > 1000)
        {
            failures.Add("MAX_LOGIN_ATTEMPTS: must be between 1 and 1000");
        }

        if (options.LockoutDuration < TimeSpan.FromSeconds(1) || options.LockoutDuration > TimeSpan.FromDays(30))
        {
            failures.Add("LOCKOUT_DURATION: must be between 1 second and 30 days (2592000)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
