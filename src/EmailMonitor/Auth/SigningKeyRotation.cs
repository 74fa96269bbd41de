using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

/// <summary>
/// Keeps this instance's copy of the signing key ring current, and rotates it on JWT_KEY_ROTATION_DAYS.
/// Every instance runs the schedule; the ring's lock makes one rotation of each turn.
/// </summary>
internal sealed class SigningKeyRotation(SigningKeyRing ring, IOptions<AuthOptions> options, TimeProvider time, ILogger<SigningKeyRotation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeyReload, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (options.Value.SigningKeyRotation > TimeSpan.Zero)
                {
                    await ring.RotateAsync(options.Value.SigningKeyRotation, stoppingToken);
                }

                await ring.ReloadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The keys in hand keep working; only a rotation waits.
                logger.SigningKeyRingFailed(ex);
            }
        }
    }
}
