using System.Text;
using MailKit;

namespace EmailMonitor.Tests.Support;

/// <summary>Writes to the current test's output, ignoring writes after the test ended.</summary>
internal static class TestOutput
{
    public static void WriteLine(string text)
    {
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test this belonged to has finished.
        }
    }

    /// <summary>A MailKit protocol log (secrets redacted by MailKit) into the test output.</summary>
    public static IProtocolLogger ProtocolLog(string prefix) => new ProtocolLogger(new LineStream(prefix), leaveOpen: false) { RedactSecrets = true };

    private sealed class LineStream(string prefix) : Stream
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
                        WriteLine($"{prefix} {(text.Length > 200 ? text[..200] + "…" : text)}");
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
