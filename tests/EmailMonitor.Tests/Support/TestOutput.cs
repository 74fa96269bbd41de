using System.Text;
using MailKit;

namespace EmailMonitor.Tests.Support;

/// <summary>Writes to the current test's output, ignoring writes after the test ended.</summary>
internal static class TestOutput
{
    /// <param name="text">The line.</param>
    /// <param name="output">The test's output, captured where the test runs: work started by a
    /// request (a mailbox added through the API) runs outside the test's context.</param>
    public static void WriteLine(string text, ITestOutputHelper? output = null)
    {
        try
        {
            (output ?? TestContext.Current.TestOutputHelper)?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test this belonged to has finished.
        }
    }

    /// <summary>A MailKit protocol log (secrets redacted by MailKit) into the test output.</summary>
    public static IProtocolLogger ProtocolLog(string prefix, ITestOutputHelper? output = null) =>
        new ProtocolLogger(new LineStream(prefix, output ?? TestContext.Current.TestOutputHelper), leaveOpen: false) { RedactSecrets = true };

    private sealed class LineStream(string prefix, ITestOutputHelper? output) : Stream
    {
        private readonly StringBuilder _line = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get => 0; set { } }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_line)
            {
                foreach (var c in Encoding.UTF8.GetString(buffer, offset, count))
                {
                    if (c == '\n')
                    {
                        // Bodies can be long; the first part of each line is what a failure needs.
                        var text = _line.ToString().TrimEnd('\r');
                        WriteLine($"{prefix} {(text.Length > 200 ? text[..200] + "…" : text)}", output);
                        _line.Clear();
                    }
                    else
                    {
                        _line.Append(c);
                    }
                }
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
