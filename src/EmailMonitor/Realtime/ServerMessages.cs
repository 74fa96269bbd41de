using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EmailMonitor.Auth;
using EmailMonitor.Storage;

namespace EmailMonitor.Realtime;

/// <summary>Builds the server-to-client frames of CONTRACT §4 as UTF-8 JSON.</summary>
internal static class ServerMessages
{
    /// <summary>
    /// The <c>new_email</c> frame: the stored fields with <c>type</c> and <c>event_id</c> in front.
    /// Built once per event and shared by every connection that receives it.
    /// </summary>
    public static byte[] NewEmail(StoredEvent stored) => stored.ToUtf8Json("\"type\":\"new_email\","u8);

    public static byte[] Error(string code, string message) => Write(writer =>
    {
        writer.WriteString("type", MessageTypes.Error);
        writer.WriteString("code", code);
        writer.WriteString("message", message);
    });

    public static byte[] Pong(DateTimeOffset now) => Write(writer =>
    {
        writer.WriteString("type", MessageTypes.Pong);
        writer.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    });

    public static byte[] AuthSuccess(AuthOutcome outcome, DateTimeOffset now) => Write(writer =>
    {
        var user = outcome.User!;
        writer.WriteString("type", MessageTypes.AuthSuccess);
        writer.WriteString("username", user.Username);
        writer.WriteString("role", user.Role);
        writer.WriteNumber("expires_in", ExpiresIn(user, now));
        if (outcome.AccessToken is not null)
        {
            writer.WriteString("access_token", outcome.AccessToken);
            writer.WriteString("refresh_token", outcome.RefreshToken);
            writer.WriteString("token_type", "Bearer");
        }
    });

    public static byte[] TokenRefreshed(AuthOutcome outcome, DateTimeOffset now) => Write(writer =>
    {
        writer.WriteString("type", MessageTypes.TokenRefreshed);
        writer.WriteString("access_token", outcome.AccessToken);
        writer.WriteString("refresh_token", outcome.RefreshToken);
        writer.WriteNumber("expires_in", ExpiresIn(outcome.User!, now));
        writer.WriteString("token_type", "Bearer");
    });

    // deletedThrough: when retention has deleted events the resume asked for, the last event_id it deleted.
    public static byte[] ResumeComplete(int count, long? deletedThrough = null) => Write(writer =>
    {
        writer.WriteString("type", MessageTypes.ResumeComplete);
        writer.WriteNumber("count", count);
        if (deletedThrough is { } through)
        {
            writer.WriteBoolean("truncated", true);
            writer.WriteNumber("deleted_through", through);
        }
    });

    private static long ExpiresIn(AuthenticatedUser user, DateTimeOffset now) =>
        Math.Max(0, (long)Math.Round((user.ExpiresAt - now).TotalSeconds));

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
