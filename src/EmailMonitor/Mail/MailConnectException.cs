namespace EmailMonitor.Mail;

/// <summary>Reaching a mailbox failed at one step, with a message fit to show a user (never a password).</summary>
internal sealed class MailConnectException(ConnectStep step, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public ConnectStep Step { get; } = step;

    /// <summary>Why a session failed, as the status board and the log show it.</summary>
    public static string Explain(Exception ex) => ex is MailConnectException connect
        ? $"{Describe(connect.Step)}: {connect.Message}"
        : $"{ex.GetType().Name}: {ex.Message}";

    public static string Describe(ConnectStep step) => step switch
    {
        ConnectStep.Dns => "DNS",
        ConnectStep.Connect => "connect",
        ConnectStep.Tls => "TLS",
        ConnectStep.Authentication => "authentication",
        _ => "folder",
    };
}
