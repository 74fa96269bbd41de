namespace EmailMonitor.Mail;

/// <summary>Reaching a mailbox failed at one step, with a message fit to show a user (never a password).</summary>
internal sealed class MailConnectException(ConnectStep step, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public ConnectStep Step { get; } = step;

    public static string Describe(ConnectStep step) => step switch
    {
        ConnectStep.Dns => "DNS",
        ConnectStep.Connect => "connect",
        ConnectStep.Tls => "TLS",
        ConnectStep.Authentication => "authentication",
        _ => "folder",
    };
}
