namespace EmailMonitor.Configuration;

/// <summary>Every variable users can set, in the order of CONTRACT §3; the one place that maps them to configuration keys.</summary>
internal static class ContractVariables
{
    public static readonly IReadOnlyList<ContractVariable> All =
    [
        new("ENVIRONMENT", "Service:Environment", VariableFormat.Choice, "development", "development, staging or production", ["development", "staging", "production"]),
        new("DEBUG", "Observability:Debug", VariableFormat.Boolean, "false", "as --debug: Debug level logging, also to the console"),
        new("LOG_LEVEL", "Observability:LogLevel", VariableFormat.Choice, "INFO", "DEBUG, INFO, WARNING or ERROR", ["DEBUG", "INFO", "WARNING", "ERROR"]),
        new("LOG_DIR", "Observability:LogDirectory", VariableFormat.Text, "./logs", "holds email_monitor.log and security.log"),
        new("DATA_DIR", "Storage:DataDirectory", VariableFormat.Text, "./data", "SQLite database and other state"),
        new("DATABASE_URL", "Storage:DatabaseUrl", VariableFormat.Secret, "", "postgres://user:password@host:port/database; empty = SQLite in DATA_DIR"),
        new("RETENTION_DAYS", "Storage:RetentionAge", VariableFormat.Days, "90", "events older than this many days are deleted, oldest first; 0 keeps them forever"),
        new("RETENTION_MAX_EVENTS", "Storage:RetentionMaxEvents", VariableFormat.Integer, "0", "at most this many events are kept, the oldest deleted first; 0 = no limit"),
        new("REDIS_URL", "Cluster:RedisUrl", VariableFormat.Secret, "", "redis://[:password@]host:port[/database] (rediss:// for TLS): new events reach clients on every instance, limits count across instances; empty = a single instance"),
        new("INSTANCE_ID", "Cluster:InstanceId", VariableFormat.Text, "", "this instance's name in /health/ready, logs and mailbox owners; empty = host name and process id"),
        new("EMAIL_SERVER", "Mail:Server", VariableFormat.Text, null, "IMAP (or POP3) host of the default mailbox"),
        new("EMAIL_PORT", "Mail:Port", VariableFormat.Integer, null, "993 with ssl, 143 with starttls or none (POP3: 995, 110)"),
        new("EMAIL_SECURITY", "Mail:Security", VariableFormat.Choice, "ssl", "ssl (implicit TLS), starttls, or none (loopback only unless EMAIL_ALLOW_INSECURE=true)", ["ssl", "starttls", "none"]),
        new("EMAIL_ALLOW_INSECURE", "Mail:AllowInsecure", VariableFormat.Boolean, "false", "allow EMAIL_SECURITY=none to a host that is not a loopback address"),
        new("EMAIL_PROTOCOL", "Mail:Protocol", VariableFormat.Choice, "imap", "imap, or pop3 (polled by UIDL, never deletes, INBOX only)", ["imap", "pop3"]),
        new("EMAIL_USERNAME", "Mail:Username", VariableFormat.Text, null, "mailbox user name"),
        new("EMAIL_PASSWORD", "Mail:Password", VariableFormat.Secret, null, "mailbox password"),
        new("EMAIL_FOLDER", "Mail:Folders", VariableFormat.List, "INBOX", "comma-separated folders to watch"),
        new("CREDENTIALS_KEY", "Mailboxes:CredentialsKey", VariableFormat.Secret, "", "base64 of 32 bytes that encrypt stored mailbox credentials; empty = generated once in DATA_DIR"),
        new("EMAIL_CHECK_INTERVAL", "Mail:CheckInterval", VariableFormat.Seconds, "30", "seconds between polls where IDLE is unavailable, and between safety re-syncs"),
        new("JWT_SECRET_KEY", "Auth:JwtSecretKey", VariableFormat.Secret, null, "HMAC key of at least 32 bytes; required outside development"),
        new("JWT_EXPIRATION_MINUTES", "Auth:AccessTokenLifetime", VariableFormat.Minutes, "15", "access token lifetime in minutes"),
        new("JWT_REFRESH_EXPIRATION_DAYS", "Auth:RefreshTokenLifetime", VariableFormat.Days, "7", "refresh token lifetime in days"),
        new("JWT_KEY_ROTATION_DAYS", "Auth:SigningKeyRotation", VariableFormat.Days, "30", "days a signing key signs before a new one takes over (older keys validate until their tokens expire); 0 = only when an administrator rotates"),
        new("ADMIN_USERNAME", "Auth:AdminUsername", VariableFormat.Text, "admin", "bootstrap administrator, created on first start"),
        new("ADMIN_PASSWORD", "Auth:AdminPassword", VariableFormat.Secret, null, "required on first start outside development"),
        new("MAX_LOGIN_ATTEMPTS", "Auth:MaxLoginAttempts", VariableFormat.Integer, "5", "failed logins from one address before that address is locked out of the account"),
        new("LOCKOUT_DURATION", "Auth:LockoutDuration", VariableFormat.Seconds, "900", "seconds such a lockout lasts"),
        new("WEBSOCKET_HOST", "Server:Host", VariableFormat.Text, null, "listen address; localhost in development, else 0.0.0.0"),
        new("WEBSOCKET_PORT", "Server:Port", VariableFormat.Integer, "8765", "listen port for WebSocket and HTTP"),
        new("MAX_CONNECTIONS", "Realtime:MaxConnections", VariableFormat.Integer, "100", "concurrent WebSocket connections; one more is closed with 1013"),
        new("MAX_CONNECTIONS_PER_IP", "Realtime:MaxConnectionsPerIp", VariableFormat.Integer, "20", "concurrent WebSocket connections from one IP"),
        new("RATE_LIMIT_REQUESTS", "Security:RateLimitRequests", VariableFormat.Integer, "100", "requests (HTTP requests and WebSocket messages) per window per IP"),
        new("RATE_LIMIT_WINDOW", "Security:RateLimitWindow", VariableFormat.Seconds, "60", "rate limit window in seconds"),
        new("ALLOWED_IPS", "Security:AllowedIps", VariableFormat.NetworkList, "", "IPs and CIDRs allowed to connect; empty = all"),
        new("BLOCKED_IPS", "Security:BlockedIps", VariableFormat.NetworkList, "", "IPs and CIDRs always refused"),
        new("AUTO_BLOCK_THRESHOLD", "Security:AutoBlockThreshold", VariableFormat.Integer, "20", "violations from one IP within AUTO_BLOCK_WINDOW that block it"),
        new("AUTO_BLOCK_DURATION", "Security:AutoBlockDuration", VariableFormat.Seconds, "3600", "seconds an automatic block lasts"),
        new("AUTO_BLOCK_WINDOW", "Security:AutoBlockWindow", VariableFormat.Seconds, "300", "seconds over which violations are counted"),
        new("TRUSTED_PROXIES", "Security:TrustedProxies", VariableFormat.NetworkList, "", "IPs and CIDRs of proxies whose X-Forwarded-For is believed"),
        new("TRUSTED_PROXY_HOPS", "Security:TrustedProxyHops", VariableFormat.Integer, "1", "trusted proxies a request passes through; only that many X-Forwarded-For entries are read, from the right"),
        new("ALLOWED_ORIGINS", "Security:AllowedOrigins", VariableFormat.OriginList, "", "browser origins allowed to open the WebSocket; empty = same origin only"),
        new("SSL_CERT_FILE", "Server:CertificateFile", VariableFormat.Text, null, "PEM certificate (chain); with SSL_KEY_FILE, the server speaks only HTTPS/WSS"),
        new("SSL_KEY_FILE", "Server:KeyFile", VariableFormat.Text, null, "PEM private key of SSL_CERT_FILE"),
        new("MAX_ATTACHMENT_SIZE", "Analysis:MaxAttachmentBytes", VariableFormat.Integer, "26214400", "bytes; larger attachments are flagged and not inspected further"),
        new("BLOCKED_ATTACHMENT_EXTENSIONS", "Analysis:BlockedAttachmentExtensions", VariableFormat.List, null, "overrides the built-in list of blocked extensions"),
        new("ALLOW_REMOTE_CONTENT", "Analysis:AllowRemoteContent", VariableFormat.Boolean, "false", "keep remote images and other remote resources in html_content"),
        new("WEBHOOK_ALLOW_PRIVATE", "Webhooks:AllowPrivate", VariableFormat.Boolean, "false", "webhooks may send to loopback, private and link-local addresses (checked after DNS resolution and on every redirect)"),
        new("AUTH_SERV_ID", "Analysis:AuthServId", VariableFormat.Text, null, "authserv-id whose Authentication-Results header is trusted; empty = the topmost one"),
    ];

    public static ContractVariable? Find(string name) =>
        All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal));
}
