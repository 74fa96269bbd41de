using EmailMonitor.Mail;

namespace EmailMonitor.Alerts;

/// <summary>The <c>ALERT_*</c> variables: e-mail alerts about risky mail, over SMTP.</summary>
internal sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>ALERT_SMTP_HOST; alerts are off while it is empty.</summary>
    public string SmtpHost { get; set; } = string.Empty;

    public int? SmtpPort { get; set; }

    public MailSecurity SmtpSecurity { get; set; } = MailSecurity.StartTls;

    public bool AllowInsecure { get; set; }

    public string SmtpUsername { get; set; } = string.Empty;

    public string SmtpPassword { get; set; } = string.Empty;

    public string From { get; set; } = string.Empty;

    public string[] To { get; set; } = [];

    /// <summary>Mail whose risk score (after the rules) is at least this is alerted on.</summary>
    public int MinRiskScore { get; set; } = 60;

    /// <summary>At most one alert e-mail per interval; what arrives meanwhile goes in the next, as a digest.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => SmtpHost.Length > 0;

    public int Port => SmtpPort ?? SmtpSecurity switch
    {
        MailSecurity.Ssl => 465,
        MailSecurity.StartTls => 587,
        _ => 25,
    };
}
