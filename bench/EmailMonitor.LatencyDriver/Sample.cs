namespace EmailMonitor.LatencyDriver;

/// <summary>One message: milliseconds from the start of APPEND to Dovecot's IDLE notification and to new_email.</summary>
internal sealed record Sample(double IdleNotificationMs, double NewEmailMs)
{
    public double OverheadMs => NewEmailMs - IdleNotificationMs;
}
