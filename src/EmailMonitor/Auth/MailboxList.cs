using System.Text.Json.Serialization;

namespace EmailMonitor.Auth;

/// <summary>A change to the mailboxes a user sees: <see cref="Names"/>, or all when null.</summary>
internal sealed record MailboxList(IReadOnlyList<string>? Names);

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuthJson : JsonSerializerContext;
