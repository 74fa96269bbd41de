using MimeKit;

namespace EmailMonitor.Tests.Support;

/// <summary>Messages for tests, each with a unique subject to find it by.</summary>
internal static class Emails
{
    public static MimeMessage Plain(string subject, string body = "Hello from the test.")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice Sender", "alice@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Cc.Add(new MailboxAddress("Carol", "carol@example.com"));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.FromHours(1));
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("example.com");
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    public static IEnumerable<MimeMessage> Numbered(string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => Plain($"{prefix} {i:D3}"));
}
