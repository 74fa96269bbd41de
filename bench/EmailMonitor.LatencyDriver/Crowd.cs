using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Many WebSocket clients of one server, held by child processes of this driver (one process holds
/// at most ~19,500 sockets under the 20,000 descriptor limit, so each holds
/// <see cref="ClientsPerProcess"/>), each client from its own share of loopback addresses
/// (<see cref="ClientsPerAddress"/> to an address, the monitor's default per-address limit). Every
/// client notes when each email frame reaches it on the machine's monotonic clock, which all
/// processes share, so arrivals compare across processes.
/// </summary>
internal sealed class Crowd : IAsyncDisposable
{
    public const int ClientsPerProcess = 5000;
    public const int ClientsPerAddress = 20;

    // What marks an email frame, the monitor's or the same bytes from the bare server.
    private static readonly byte[] EmailMarker = "\"type\":\"new_email\""u8.ToArray();
    private static readonly byte[] SubjectMarker = "\"subject\":\""u8.ToArray();

    private readonly List<Process> _members;

    private Crowd(List<Process> members) => _members = members;

    /// <summary>Connects <paramref name="count"/> clients to ws://127.0.0.1:<paramref name="port"/><paramref name="path"/>, each signed in with <paramref name="token"/> (token_auth) when one is given.</summary>
    public static async Task<Crowd> ConnectAsync(int port, string path, string? token, int count)
    {
        var members = new List<Process>();
        var crowd = new Crowd(members);
        try
        {
            for (var first = 0; first < count; first += ClientsPerProcess)
            {
                var start = new ProcessStartInfo("dotnet",
                [
                    typeof(Crowd).Assembly.Location, "--crowd-member", port.ToString(CultureInfo.InvariantCulture), path, token ?? "-",
                    Math.Min(ClientsPerProcess, count - first).ToString(CultureInfo.InvariantCulture),
                    (first / ClientsPerAddress).ToString(CultureInfo.InvariantCulture),
                ])
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                };
                members.Add(Process.Start(start)!);
            }

            foreach (var member in members)
            {
                var ready = await member.StandardOutput.ReadLineAsync();
                if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"A crowd process could not connect its clients: {ready ?? "it exited"}");
                }
            }

            return crowd;
        }
        catch
        {
            await crowd.DisposeAsync();
            throw;
        }
    }

    /// <summary>When the <paramref name="n"/>th email frame reached each client (Stopwatch timestamps); -1 for a client it never reached within 60 s.</summary>
    public async Task<long[]> ArrivalsOfAsync(int n)
    {
        var replies = await AskAsync($"nth {n}");
        return [.. replies.SelectMany(reply => reply.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)).Select(value => long.Parse(value, CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Once each client has had <paramref name="expected"/> email frames (or none came for 10 s):
    /// clients that got every subject numbered 1..expected once, frames missing, frames doubled.
    /// </summary>
    public async Task<(int Complete, long Missing, long Doubled)> CheckAsync(int expected)
    {
        var replies = await AskAsync($"check {expected}");
        var complete = 0;
        long missing = 0, doubled = 0;
        foreach (var fields in replies.Select(reply => reply.Split(' ')))
        {
            complete += int.Parse(fields[1], CultureInfo.InvariantCulture);
            missing += long.Parse(fields[2], CultureInfo.InvariantCulture);
            doubled += long.Parse(fields[3], CultureInfo.InvariantCulture);
        }

        return (complete, missing, doubled);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            if (!member.HasExited)
            {
                member.Kill();
                await member.WaitForExitAsync();
            }

            member.Dispose();
        }

        _members.Clear();
    }

    private async Task<string[]> AskAsync(string command)
    {
        foreach (var member in _members)
        {
            await member.StandardInput.WriteLineAsync(command);
            await member.StandardInput.FlushAsync();
        }

        var replies = new string[_members.Count];
        for (var i = 0; i < _members.Count; i++)
        {
            replies[i] = await _members[i].StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("A crowd process exited.");
        }

        return replies;
    }

    /// <summary>The child process: --crowd-member port path token|- count firstAddress.</summary>
    public static async Task RunMemberAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var uri = new Uri($"ws://127.0.0.1:{port}{args[2]}");
        var token = args[3] == "-" ? null : args[3];
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var firstAddress = int.Parse(args[5], CultureInfo.InvariantCulture);

        var clients = new Member[count];
        // The clients of one address connect one after another (the monitor lets an address hold
        // only a few sockets that have not signed in yet); 32 addresses at a time.
        using var opening = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, (count + ClientsPerAddress - 1) / ClientsPerAddress).Select(async group =>
        {
            await opening.WaitAsync();
            try
            {
                using var invoker = From(firstAddress + group);
                for (var i = group * ClientsPerAddress; i < Math.Min(count, (group + 1) * ClientsPerAddress); i++)
                {
                    clients[i] = await Member.ConnectAsync(uri, invoker, token);
                }
            }
            finally
            {
                opening.Release();
            }
        }));
        Console.WriteLine($"ready {count}");

        while (Console.ReadLine() is { } command)
        {
            var parts = command.Split(' ');
            var n = int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (parts[0] == "nth")
            {
                await WaitAsync(() => clients.All(c => c.Count >= n), TimeSpan.FromSeconds(60), clients);
                Console.WriteLine("nth " + string.Join(' ', clients.Select(c => c.ArrivalOf(n).ToString(CultureInfo.InvariantCulture))));
            }
            else
            {
                await WaitAsync(() => clients.All(c => c.Count >= n), TimeSpan.FromSeconds(10), clients);
                var complete = clients.Count(c => c.Missing(n) == 0 && c.Doubled == 0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"check {complete} {clients.Sum(c => (long)c.Missing(n))} {clients.Sum(c => (long)c.Doubled)}"));
            }
        }
    }

    // Until done, or until no client has had a frame for quietFor.
    private static async Task WaitAsync(Func<bool> done, TimeSpan quietFor, Member[] clients)
    {
        var lastTotal = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        while (!done())
        {
            var total = clients.Sum(c => (long)c.Count);
            if (total != lastTotal)
            {
                (lastTotal, quietSince) = (total, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(quietSince) > quietFor)
            {
                return;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>An HTTP invoker whose connections leave from the loopback address numbered <paramref name="addressIndex"/> (127.1.x.y).</summary>
    public static HttpMessageInvoker From(int addressIndex)
    {
        var local = new IPAddress([127, 1, (byte)(addressIndex / 250), (byte)(1 + (addressIndex % 250))]);
        return new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
    }

    /// <summary>One client: its socket and the email frames it has had.</summary>
    private sealed class Member
    {
        private readonly ClientWebSocket _socket;
        private readonly Lock _gate = new();
        private readonly List<long> _arrivals = [];
        private readonly Dictionary<int, int> _subjects = [];

        private Member(ClientWebSocket socket) => _socket = socket;

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _arrivals.Count;
                }
            }
        }

        public int Doubled
        {
            get
            {
                lock (_gate)
                {
                    return _subjects.Values.Sum(times => times - 1);
                }
            }
        }

        public static async Task<Member> ConnectAsync(Uri uri, HttpMessageInvoker invoker, string? token)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(uri, invoker, timeout.Token);
            var member = new Member(socket);
            var buffer = new byte[16 * 1024];
            if (token is not null)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"token_auth","token":"{{token}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
                var reply = await ReadAsync(socket, buffer).WaitAsync(timeout.Token);
                if (reply.Span.IndexOf("\"auth_success\""u8) < 0)
                {
                    throw new InvalidOperationException($"Not signed in: {Encoding.UTF8.GetString(reply.Span)} {socket.CloseStatus} {socket.CloseStatusDescription}");
                }
            }

            _ = member.ReadLoopAsync(buffer);
            return member;
        }

        public long ArrivalOf(int n)
        {
            lock (_gate)
            {
                return n <= _arrivals.Count ? _arrivals[n - 1] : -1;
            }
        }

        /// <summary>How many of the subjects numbered 1..<paramref name="n"/> never came.</summary>
        public int Missing(int n)
        {
            lock (_gate)
            {
                return Enumerable.Range(1, n).Count(number => !_subjects.ContainsKey(number));
            }
        }

        private static async Task<ReadOnlyMemory<byte>> ReadAsync(ClientWebSocket socket, byte[] buffer)
        {
            // Only the start of a frame is looked at (its type and subject): once the buffer is
            // full, the rest is read over its second half.
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(buffer.Length / 2), CancellationToken.None);
                length = Math.Min(length + result.Count, buffer.Length);
            }
            while (!result.EndOfMessage);

            return buffer.AsMemory(0, length < buffer.Length ? length : buffer.Length / 2);
        }

        private async Task ReadLoopAsync(byte[] buffer)
        {
            try
            {
                while (true)
                {
                    var frame = await ReadAsync(_socket, buffer);
                    var arrived = Stopwatch.GetTimestamp();
                    if (frame.Span.IndexOf(EmailMarker) < 0)
                    {
                        continue;
                    }

                    lock (_gate)
                    {
                        _arrivals.Add(arrived);
                        // Subjects end in their number ("load 17"), the frames of the scenarios that check for loss.
                        if (NumberInSubject(frame.Span) is { } number)
                        {
                            _subjects[number] = _subjects.GetValueOrDefault(number) + 1;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        private static int? NumberInSubject(ReadOnlySpan<byte> frame)
        {
            var at = frame.IndexOf(SubjectMarker);
            if (at < 0)
            {
                return null;
            }

            var subject = frame[(at + SubjectMarker.Length)..];
            var end = subject.IndexOf((byte)'"');
            subject = end < 0 ? subject : subject[..end];
            var space = subject.LastIndexOf((byte)' ');
            return Utf8Parser.TryParse(subject[(space + 1)..], out int number, out _) ? number : null;
        }
    }
}
