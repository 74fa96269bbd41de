using System.Text;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Deployment;

/// <summary>
/// The samples scripts/demo and the compose demo send (deploy/compose/demo/sample-mail), delivered
/// through Dovecot: each shows the verdict its subject announces, so a newcomer's first minute is
/// the range a desk sees, not one message promising a flag nobody reports.
/// </summary>
public sealed class DemoSamplesTests
{
    private static readonly Dictionary<int, string[]> Samples = new()
    {
        [0] = [],
        [1] = ["sender_spoofing", "suspicious_link", "reply_to_mismatch"],
        [2] = ["double_extension", "dangerous_attachment"],
        [3] = ["macro_document"],
        [4] = ["spf_fail", "dkim_fail", "dmarc_fail"],
        [5] = ["script_removed", "external_images"],
    };

    [Fact]
    public async Task Each_demo_sample_carries_the_flags_its_subject_promises_and_a_clean_one_none()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        var messages = new List<MimeMessage>();
        foreach (var number in Samples.Keys)
        {
            var (exitCode, output) = await Exec.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "deploy", "compose", "demo", "sample-mail"), number.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(exitCode == 0, output);
            messages.Add(await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(output)), TestContext.Current.CancellationToken));
        }

        await dovecot.AppendAsync(messages);

        var received = new Dictionary<int, string[]>();
        for (var i = 0; i < messages.Count; i++)
        {
            var email = await client.ReceiveAsync("new_email");
            var subject = email.GetProperty("subject").GetString()!;
            var number = int.Parse(subject["Demo #".Length..subject.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            received[number] = [.. email.GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()!)];
        }

        foreach (var (number, promised) in Samples)
        {
            var flags = received[number];
            Assert.True(promised.Length == 0 ? flags.Length == 0 : promised.All(flags.Contains),
                $"sample {number}: promised [{string.Join(", ", promised)}], got [{string.Join(", ", flags)}]");
        }
    }
}
