using System.Text.Json;

namespace EmailMonitor.Api;

/// <summary><see cref="Mailboxes"/>, optional, limits what the new user sees from the start (absent or null: all).</summary>
internal sealed record CreateUserRequest(string? Username, string? Password, string? Role, JsonElement Mailboxes);
