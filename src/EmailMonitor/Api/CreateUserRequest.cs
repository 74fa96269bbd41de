namespace EmailMonitor.Api;

internal sealed record CreateUserRequest(string? Username, string? Password, string? Role);
