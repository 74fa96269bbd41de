using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace EmailMonitor.Mail;

/// <summary>
/// Opens an authenticated IMAP or POP3 session one step at a time (DNS, TCP, TLS, login), so a
/// failure says which step failed. The service and <c>--test-email</c> share this path.
/// </summary>
internal static class MailConnector
{
    public static Task<ImapClient> ConnectImapAsync(
        MailLogin login, IProtocolLogger protocolLogger, TimeSpan timeout, Action<ConnectStep, string>? stepDone, CancellationToken cancellationToken) =>
        ConnectAsync(new ImapClient(protocolLogger), login, timeout, stepDone, cancellationToken);

    public static Task<Pop3Client> ConnectPop3Async(
        MailLogin login, IProtocolLogger protocolLogger, TimeSpan timeout, Action<ConnectStep, string>? stepDone, CancellationToken cancellationToken) =>
        ConnectAsync(new Pop3Client(protocolLogger), login, timeout, stepDone, cancellationToken);

    // stepDone hears of each step that succeeded and what it found, for --test-email.
    private static async Task<TClient> ConnectAsync<TClient>(
        TClient client,
        MailLogin login,
        TimeSpan timeout,
        Action<ConnectStep, string>? stepDone,
        CancellationToken cancellationToken)
        where TClient : MailService
    {
        var mailbox = login.Mailbox;
        client.Timeout = (int)timeout.TotalMilliseconds;
        client.ServerCertificateValidationCallback = CertificatePolicy.Validate;
        Socket? socket = null;
        try
        {
            var addresses = await ResolveAsync(mailbox.Server, timeout, cancellationToken);
            stepDone?.Invoke(ConnectStep.Dns, string.Join(", ", addresses.Select(a => a.ToString())));
            socket = await OpenSocketAsync(addresses, mailbox, timeout, cancellationToken);
            stepDone?.Invoke(ConnectStep.Connect, socket.RemoteEndPoint?.ToString() ?? mailbox.Server);
            await StartSessionAsync(client, socket, mailbox, cancellationToken);
            stepDone?.Invoke(ConnectStep.Tls, client.IsSecure ? $"{client.SslProtocol}, {client.SslCipherSuite}" : "none: plain text");
            await LoginAsync(client, login, cancellationToken);
            stepDone?.Invoke(ConnectStep.Authentication, $"logged in as {mailbox.Username}");
            return client;
        }
        catch
        {
            client.Dispose();
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>Opens a folder read-only (EXAMINE): the monitor never changes \Seen or anything else.</summary>
    public static async Task<IMailFolder> OpenImapFolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            var folder = await client.GetFolderAsync(name, cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            return folder;
        }
        catch (Exception ex) when (ex is FolderNotFoundException or ImapCommandException)
        {
            throw new MailConnectException(ConnectStep.Folder, $"cannot open folder '{name}': {ex.Message}", ex);
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        // A resolver that never answers holds up only this attempt, for as long as any other step may take.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, deadline.Token);
            return addresses.Length > 0
                ? addresses
                : throw new MailConnectException(ConnectStep.Dns, $"{host} has no address");
        }
        catch (SocketException ex)
        {
            throw new MailConnectException(ConnectStep.Dns, $"cannot resolve {host} ({ex.SocketErrorCode})", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailConnectException(ConnectStep.Dns, $"cannot resolve {host} (no answer within {timeout.TotalSeconds:0} s)", ex);
        }
    }

    private static async Task<Socket> OpenSocketAsync(
        IPAddress[] addresses, MailboxDefinition mailbox, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(addresses, mailbox.Port, deadline.Token);
            // TCP keep-alive is a second guard, under the IDLE watchdog, against a peer that vanished.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            var reason = ex is SocketException socketError ? socketError.SocketErrorCode.ToString() : "timed out";
            throw new MailConnectException(ConnectStep.Connect, $"cannot connect to {mailbox.Server}:{mailbox.Port} ({reason})", ex);
        }
    }

    private static async Task StartSessionAsync(MailService client, Socket socket, MailboxDefinition mailbox, CancellationToken cancellationToken)
    {
        var options = mailbox.Security switch
        {
            MailSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            MailSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };

        try
        {
            await client.ConnectAsync(socket, mailbox.Server, mailbox.Port, options, cancellationToken);
        }
        catch (SslHandshakeException ex)
        {
            // The inner exception says why (an untrusted chain, a name mismatch); MailKit's own message is generic advice.
            var reason = FirstLine(ex.InnerException?.Message ?? ex.Message);
            throw new MailConnectException(ConnectStep.Tls, $"TLS handshake with {mailbox.Server} failed: {reason}", ex);
        }
        catch (Exception ex) when (ex is ProtocolException or IOException or NotSupportedException)
        {
            var step = mailbox.Security == MailSecurity.None ? ConnectStep.Connect : ConnectStep.Tls;
            var protocol = client is Pop3Client ? "POP3" : "IMAP";
            throw new MailConnectException(step, $"{mailbox.Server}:{mailbox.Port} did not start a {protocol} session: {FirstLine(ex.Message)}", ex);
        }
    }

    private static async Task LoginAsync(MailService client, MailLogin login, CancellationToken cancellationToken)
    {
        try
        {
            await login.AuthenticateAsync(client, cancellationToken);
        }
        catch (AuthenticationException ex)
        {
            throw new MailConnectException(ConnectStep.Authentication, $"the server refused the login for {login.Mailbox.Username}", ex);
        }
    }

    /// <summary>Ends a session that is being discarded: a LOGOUT if it answers within 2 s, else nothing.</summary>
    public static async Task DisconnectQuietlyAsync(MailService client, TimeProvider time)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        try
        {
            await client.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The session is being discarded; a failed LOGOUT changes nothing.
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
