namespace EmailMonitor.Api;

/// <summary>Only the fields given are changed.</summary>
internal sealed record UpdateUserRequest(string? Role, string? Password, bool? Disabled);
