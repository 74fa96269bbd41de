using System.Text.Json;

namespace EmailMonitor.Api;

/// <summary>
/// Only the fields given are changed. <see cref="Mailboxes"/> stays raw JSON so that absent (no
/// change), null (all mailboxes) and a list can be told apart.
/// </summary>
internal sealed record UpdateUserRequest(string? Role, string? Password, bool? Disabled, JsonElement Mailboxes);
