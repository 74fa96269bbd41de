using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// Three real service processes on one PostgreSQL database and one Redis, a real Dovecot: one owner
/// per mailbox, taken over when it dies or stalls, and every client on every instance gets every
/// email once per connection, in event_id order.
/// </summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task Every_client_on_every_instance_gets_every_email_once_in_order_while_the_owner_is_killed_and_its_successor_stalled()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ClusterInstances.StartAsync(dovecot, redis.Url, "a", "b", "c");
        var password = cluster.Shared["ADMIN_PASSWORD"];
        var owner = await cluster.OwnerAsync(["a", "b", "c"], TimeSpan.FromSeconds(60));
        const int Expected = 30;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var followers = new[] { "a", "b", "c" }.Select(name => new Follower(cluster, name, password)).ToList();
        var following = followers.Select(f => f.RunAsync(() => Expected, stop.Token)).ToList();
        // Signed in before the first email: a fresh connection gets what is committed from then on.
        await Task.WhenAll(followers.Select(f => f.Ready)).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        // The owner dies (SIGKILL) in the middle of a burst: half of it arrives before, half after.
        var burst = dovecot.AppendAsync(Emails.Numbered("first", 10));
        await Eventually.TrueAsync(() => followers.Max(f => f.Seen) >= 5, "the burst has begun to arrive");
        await cluster.KillAsync(owner);
        var killedAt = Stopwatch.StartNew();
        await burst;
        var seenAtKill = followers.Max(f => f.Seen);
        await dovecot.AppendAsync(Emails.Numbered("first-after", 10));
        await Eventually.TrueAsync(() => followers.Max(f => f.Seen) > Math.Max(seenAtKill, 10), "mail flows again", TimeSpan.FromSeconds(30));
        TestOutput.WriteLine($"owner {owner} killed: the next email reached a client {killedAt.Elapsed.TotalSeconds:0.0} s later");
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(20), "taken over within the lease and a round, plus the delivery");
        await Eventually.TrueAsync(
            () => followers.All(f => f.Seen == 20), () => $"every client has the first burst (they have {string.Join(", ", followers.Select(f => f.Seen))})", TimeSpan.FromSeconds(60));

        // The new owner stalls (SIGSTOP) past its lease; another takes over; then it wakes up.
        var successor = await cluster.OwnerAsync(cluster.Up, TimeSpan.FromSeconds(30));
        Assert.NotEqual(owner, successor);
        await cluster.Process(successor).SignalAsync("STOP");
        await dovecot.AppendAsync(Emails.Numbered("second", 10));
        var awake = followers.Where((_, i) => new[] { "a", "b", "c" }[i] != successor && new[] { "a", "b", "c" }[i] != owner).ToList();
        await Eventually.TrueAsync(() => awake.All(f => f.Seen == Expected), "clients of the instance still running get the second burst", TimeSpan.FromSeconds(60));
        await cluster.Process(successor).SignalAsync("CONT");

        await Task.WhenAll(following).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        foreach (var follower in followers)
        {
            var all = follower.Connections.SelectMany(c => c).ToList();
            Assert.Equal(Expected, all.Select(e => e.Id).Distinct().Count());
            foreach (var connection in follower.Connections)
            {
                Assert.Equal(connection.Count, connection.Select(e => e.Id).Distinct().Count());
                Assert.Equal(connection.Select(e => e.EventId).Order(), connection.Select(e => e.EventId));
                Assert.Equal(connection.Count, connection.Select(e => e.EventId).Distinct().Count());
            }
        }

        // The stalled owner woke up to find its lease gone, and stored nothing twice or late.
        Assert.Equal(Expected, await ServiceDatabase.CountAsync(cluster.Shared, "SELECT count(*) FROM events"));
        // Its watchdog (no renewal for longer than the lease allows) or its next round (the lease is another's) stops it.
        await Eventually.TrueAsync(
            () => cluster.Process(successor).Output.Contains("has passed to another instance; stopped watching", StringComparison.Ordinal)
                || cluster.Process(successor).Output.Contains("before another instance takes it", StringComparison.Ordinal),
            "the woken owner stops watching");
    }

    [Fact]
    public async Task A_redis_restart_mid_stream_loses_nothing_for_clients_of_either_instance()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ClusterInstances.StartAsync(dovecot, redis.Url, "a", "b");
        var password = cluster.Shared["ADMIN_PASSWORD"];
        var owner = await cluster.OwnerAsync(["a", "b"], TimeSpan.FromSeconds(60));
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var followers = new[] { "a", "b" }.Select(name => new Follower(cluster, name, password)).ToList();
        var following = followers.Select(f => f.RunAsync(() => 15, stop.Token)).ToList();
        await Task.WhenAll(followers.Select(f => f.Ready)).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        await dovecot.AppendAsync(Emails.Numbered("before", 5));
        await Eventually.TrueAsync(() => followers.All(f => f.Seen == 5), "both clients have the first emails");
        await redis.KillAsync();
        await dovecot.AppendAsync(Emails.Numbered("during", 5));
        await Eventually.TrueAsync(() => followers.All(f => f.Seen == 10), "both clients get mail while Redis is down", TimeSpan.FromSeconds(30));
        await redis.StartAgainAsync();
        await dovecot.AppendAsync(Emails.Numbered("after", 5));

        await Task.WhenAll(following).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        foreach (var connection in followers.SelectMany(f => f.Connections))
        {
            Assert.Equal(connection.Select(e => e.EventId).Distinct().Order(), connection.Select(e => e.EventId));
        }

        Assert.All(followers, f => Assert.Equal(15, f.Connections.SelectMany(c => c).Select(e => e.Id).Distinct().Count()));

        // The other instance shows the folder as its watcher reports it (within a lease round), not just "elsewhere".
        var other = owner == "a" ? "b" : "a";
        using var admin = await cluster.AdminAsync(other);
        JsonElement inbox = default;
        await Eventually.TrueAsync(
            async () =>
            {
                var mailbox = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/mailboxes/default", TestContext.Current.CancellationToken));
                inbox = mailbox.GetProperty("folder_states").EnumerateArray().Single();
                return inbox.GetProperty("last_uid").GetUInt32() == 15;
            },
            () => $"{other} shows the last UID its watcher reached: {inbox}");
        Assert.Equal("watching", inbox.GetProperty("state").GetString());
        Assert.Equal(owner, inbox.GetProperty("owner").GetString());
        Assert.True(inbox.GetProperty("idle").GetBoolean());
    }

    [Fact]
    public async Task A_rate_limit_budget_spent_on_one_instance_is_spent_on_all()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ClusterInstances.StartAsync(dovecot, redis.Url, v => v["RATE_LIMIT_REQUESTS"] = "20", "a", "b");
        using var http = new HttpClient();
        async Task<HttpStatusCode> AskAsync(string instance, string path = "/api/stats")
        {
            using var response = await http.GetAsync(new Uri(cluster.Uris[instance], path), TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        // This address spends its whole budget on a.
        var onA = 0;
        while (await AskAsync("a") != HttpStatusCode.TooManyRequests)
        {
            onA++;
        }

        // On b it has next to nothing left: what b lets through before its next exchange with
        // Redis (a tenth of a second), where alone it would let through the whole budget again.
        var onB = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                if (await AskAsync("b") == HttpStatusCode.TooManyRequests)
                {
                    return true;
                }

                onB++;
                return false;
            },
            "b refuses the address");

        TestOutput.WriteLine($"a let through {onA} requests, then b {onB}");
        Assert.Equal(20, onA);
        Assert.True(onB < 10, $"b let through {onB} of a budget already spent");
        // A load balancer probing every instance from this address is not refused for what the others spent.
        Assert.Equal(HttpStatusCode.OK, await AskAsync("b", "/health/live"));
    }

    [Fact]
    public async Task Lockouts_automatic_blocks_and_connection_caps_count_what_a_client_did_on_every_instance()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ClusterInstances.StartAsync(
            dovecot,
            redis.Url,
            v =>
            {
                v["MAX_LOGIN_ATTEMPTS"] = "3";
                v["AUTO_BLOCK_THRESHOLD"] = "10";
                // A week: the shared count is kept in fixed windows, and this test must not straddle two.
                v["AUTO_BLOCK_WINDOW"] = "604800";
                v["MAX_CONNECTIONS_PER_IP"] = "2";
            },
            "a",
            "b",
            "c");
        await using var inspector = await redis.ConnectAsync();
        var cancellation = TestContext.Current.CancellationToken;

        // Lockout: one wrong password on each instance is three on the account from this address.
        var guesser = cluster.Uris.ToDictionary(entry => entry.Key, entry => FromAddress.Http(entry.Value, "127.0.0.21"));
        async Task<string> LoginAsync(string instance, string password)
        {
            using var response = await guesser[instance].PostAsJsonAsync("/api/auth/login", new { username = ServiceHost.AdminUsername, password }, cancellation);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
            return body.TryGetProperty("code", out var code) ? code.GetString()! : "signed in";
        }

        Assert.Equal(["auth_failed", "auth_failed", "auth_failed"], [await LoginAsync("a", "wrong-1"), await LoginAsync("b", "wrong-2"), await LoginAsync("c", "wrong-3")]);
        // Alone, a would count one failure and answer account_locked only at the third attempt from
        // now; counting the others', it answers so at once, or at the next attempt if b's and c's
        // failures were still on their way (a lock then counts the one in between).
        var probes = new List<string>();
        do
        {
            probes.Add(await LoginAsync("a", $"wrong-{probes.Count + 4}"));
        }
        while (probes[^1] != "account_locked" && probes.Count < 3);
        TestOutput.WriteLine($"a answered {string.Join(", ", probes)}");
        Assert.Equal("account_locked", probes[^1]);
        Assert.True(probes.Count <= 2, $"a answered {string.Join(", ", probes)}");
        // The right password changes nothing while the lock holds, on any instance.
        Assert.Equal("account_locked", await LoginAsync("c", cluster.Shared["ADMIN_PASSWORD"]));
        foreach (var client in guesser.Values)
        {
            client.Dispose();
        }

        // Automatic block: three violations (a bad token each) on each instance, nine in all, one short of the threshold.
        var offender = cluster.Uris.ToDictionary(entry => entry.Key, entry => FromAddress.Http(entry.Value, "127.0.0.22"));
        async Task<HttpStatusCode> BadTokenAsync(string instance)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/emails");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
            using var response = await offender[instance].SendAsync(request, cancellation);
            return response.StatusCode;
        }

        async Task<bool> BlockedOnAsync(string instance)
        {
            using var response = await offender[instance].GetAsync("/api/stats", cancellation);
            return response.StatusCode == HttpStatusCode.Forbidden;
        }

        async Task<long> CountedInRedisAsync()
        {
            var server = inspector.GetServer(inspector.GetEndPoints()[0]);
            long total = 0;
            await foreach (var key in server.KeysAsync(pattern: "*budget:violations:127.0.0.22:*"))
            {
                total += (long)await inspector.GetDatabase().StringGetAsync(key);
            }

            return total;
        }

        foreach (var instance in new[] { "a", "b", "c", "a", "b", "c", "a", "b", "c" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BadTokenAsync(instance));
        }

        await Eventually.TrueAsync(async () => await CountedInRedisAsync() == 9, "the nine violations counted in Redis");
        // Each further violation on a waits until a has shared it (and so learnt everyone's count).
        var further = 0;
        while (!await BlockedOnAsync("a") && further < 7)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BadTokenAsync("a"));
            further++;
            var expected = 9 + further;
            await Eventually.TrueAsync(async () => await CountedInRedisAsync() >= expected || await BlockedOnAsync("a"), $"violation {expected} shared or a blocked");
        }

        // Alone, a would block at its tenth violation (seven more); knowing the nine, at the first or second.
        TestOutput.WriteLine($"a blocked after {further} further violations");
        Assert.InRange(further, 1, 2);
        await Eventually.TrueAsync(async () => await BlockedOnAsync("b") && await BlockedOnAsync("c"), "b and c refuse the blocked address");
        foreach (var client in offender.Values)
        {
            client.Dispose();
        }

        // Connection cap: two authenticated connections from one address, on a and b, are this address's two.
        var onA = await FromAddress.WebSocketAsync(cluster.WebSocketUri("a"), "127.0.0.23");
        await onA.LoginAsync(ServiceHost.AdminUsername, cluster.Shared["ADMIN_PASSWORD"]);
        await using var onB = await FromAddress.WebSocketAsync(cluster.WebSocketUri("b"), "127.0.0.23");
        await onB.LoginAsync(ServiceHost.AdminUsername, cluster.Shared["ADMIN_PASSWORD"]);
        var connectionsKey = (await ListKeysAsync("*connections:127.0.0.23")).Single();
        await Eventually.TrueAsync(async () => (await inspector.GetDatabase().HashLengthAsync(connectionsKey)) == 2, "a and b report their connection in Redis");

        await using (var third = await FromAddress.WebSocketAsync(cluster.WebSocketUri("c"), "127.0.0.23"))
        {
            Assert.Equal((WebSocketCloseStatus)1013, await third.WaitForCloseAsync());
        }

        // One closed on a: c admits one again.
        await onA.DisposeAsync();
        await Eventually.TrueAsync(async () => (await inspector.GetDatabase().HashLengthAsync(connectionsKey)) == 1, "a reports it holds none");
        await using var admitted = await FromAddress.WebSocketAsync(cluster.WebSocketUri("c"), "127.0.0.23");
        await admitted.LoginAsync(ServiceHost.AdminUsername, cluster.Shared["ADMIN_PASSWORD"]);

        async Task<List<StackExchange.Redis.RedisKey>> ListKeysAsync(string pattern)
        {
            var keys = new List<StackExchange.Redis.RedisKey>();
            await foreach (var key in inspector.GetServer(inspector.GetEndPoints()[0]).KeysAsync(pattern: pattern))
            {
                keys.Add(key);
            }

            return keys;
        }
    }

    [Fact]
    public async Task Decisions_made_while_redis_was_down_reach_every_instance_once_it_is_back()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var cluster = await ClusterInstances.StartAsync(dovecot, redis.Url, v => v["AUTO_BLOCK_THRESHOLD"] = "3", "a", "b");
        var cancellation = TestContext.Current.CancellationToken;
        using var admin = await cluster.AdminAsync("a");

        (await admin.PostAsJsonAsync("/api/admin/users", new { username = "analyst", password = "analyst-password-1", role = "viewer" }, cancellation)).EnsureSuccessStatusCode();
        await using var analyst = await WsClient.ConnectAsync(cluster.WebSocketUri("b"));
        await analyst.LoginAsync("analyst", "analyst-password-1");

        async Task OffendAsync(string instance, string address)
        {
            using var http = FromAddress.Http(cluster.Uris[instance], address);
            for (var violation = 0; violation < 3; violation++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/emails");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
                using var response = await http.SendAsync(request, cancellation);
            }
        }

        async Task<bool> RefusedAsync(string instance, string address)
        {
            using var http = FromAddress.Http(cluster.Uris[instance], address);
            using var response = await http.GetAsync("/api/stats", cancellation);
            return response.StatusCode == HttpStatusCode.Forbidden;
        }

        // Blocked on a while Redis is up: b refuses it too.
        await OffendAsync("a", "127.0.0.32");
        await Eventually.TrueAsync(() => RefusedAsync("b", "127.0.0.32"), "b applies a's block");

        await redis.KillAsync();
        // With Redis down, a blocks another address, lifts the first and disables the analyst: b hears nothing.
        await OffendAsync("a", "127.0.0.31");
        Assert.True(await RefusedAsync("a", "127.0.0.31"));
        (await admin.DeleteAsync("/api/admin/blocked-ips/127.0.0.32", cancellation)).EnsureSuccessStatusCode();
        (await admin.PatchAsJsonAsync("/api/admin/users/analyst", new { disabled = true }, cancellation)).EnsureSuccessStatusCode();
        Assert.True(await RefusedAsync("b", "127.0.0.32"), "b cannot have heard of the lift");

        await redis.StartAgainAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await analyst.WaitForCloseAsync(TimeSpan.FromSeconds(60)));
        // Each kind of decision is caught up on its own once Redis is back: the user's before, or after, the blocks.
        await Eventually.TrueAsync(() => RefusedAsync("b", "127.0.0.31"), "b applies the block made while Redis was down");
        await Eventually.TrueAsync(async () => !await RefusedAsync("b", "127.0.0.32"), "b applies the lift made while Redis was down");
    }
}
