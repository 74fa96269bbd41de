namespace EmailMonitor.Mail;

/// <summary>The default mailbox of CONTRACT §3 (<c>EMAIL_*</c>) and how every mailbox's folders are watched.</summary>
internal sealed class MailOptions
{
    public const string Section = "Mail";

    public string Server { get; set; } = string.Empty;

    public int? Port { get; set; }

    public MailSecurity Security { get; set; }

    public bool AllowInsecure { get; set; }

    public MailProtocol Protocol { get; set; }

    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string[] Folders { get; set; } = [];

    /// <summary>Between polls where IDLE is unavailable, and between safety re-syncs.</summary>
    public TimeSpan CheckInterval { get; set; }

    /// <summary>
    /// How long one IDLE lasts before DONE. Each DONE needs an answer within
    /// <see cref="CommandTimeout"/>, so a half-open connection is noticed within the sum of the two
    /// (under a minute), and IDLE is renewed far more often than the 9 minutes after which
    /// servers such as Gmail drop an idle session.
    /// </summary>
    public TimeSpan IdleRenewInterval { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>The longest wait for any answer from the mail server.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The reconnect delay ceiling when trouble begins; it grows by a fifth of the trouble's length up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A session that logged in, opened its folder and stayed up this long ends the trouble; one
    /// dropped sooner is a flapping server, still backed off.
    /// </summary>
    public TimeSpan StableSessionLength { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>UIDs fetched per FETCH command when catching up.</summary>
    public int FetchBatchSize { get; set; } = 50;

    /// <summary>
    /// Sessions in a row that may fail while fetching the same message before it is given up:
    /// it then becomes a <c>malformed_message</c> event, so one unreadable message never stalls its folder.
    /// </summary>
    public int MaxFetchAttempts { get; set; } = 5;

    /// <summary>
    /// IDLE connections one mailbox may hold when its server lacks NOTIFY (servers cap connections
    /// per user: Dovecot at 10 per address, and the user's own mail clients need some); further
    /// folders share one more connection, caught up every check interval.
    /// </summary>
    public int MaxConnectionsPerMailbox { get; set; } = 5;

    /// <summary>Sessions being opened at once across all mailboxes (see <see cref="ConnectGate"/>).</summary>
    public int ConnectConcurrency { get; set; } = 8;

    public int EffectivePort => Port ?? MailboxDefinition.DefaultPort(Protocol, Security);

    public MailboxDefinition ToDefaultMailbox() => new()
    {
        Name = MailboxDefinition.DefaultName,
        Protocol = Protocol,
        Server = Server,
        Port = EffectivePort,
        Security = Security,
        Username = Username,
        Credential = new PasswordCredential(Password),
        Folders = Folders,
        CheckInterval = CheckInterval,
    };
}
