namespace EmailMonitor.Configuration;

internal static partial class Log
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Configuration: {Notice}")]
    public static partial void ConfigurationNotice(this ILogger logger, string notice);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Serving HTTPS/WSS with certificate {Subject}, valid until {NotAfter}")]
    public static partial void CertificateLoaded(this ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "The certificate in {File} could not be loaded: {Error}; the previous one stays in service")]
    public static partial void CertificateNotLoaded(this ILogger logger, string file, string error);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Email Monitor {Build} starting")]
    public static partial void Starting(this ILogger logger, string build);
}
