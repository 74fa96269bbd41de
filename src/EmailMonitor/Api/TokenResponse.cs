namespace EmailMonitor.Api;

/// <summary>A token pair, with the field names of the WebSocket's <c>auth_success</c> and <c>token_refreshed</c>.</summary>
internal sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, long ExpiresIn, string Username, string Role);
