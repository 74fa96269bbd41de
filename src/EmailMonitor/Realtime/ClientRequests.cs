using System.Net.WebSockets;
using System.Text.Json;
using EmailMonitor.Auth;
using EmailMonitor.Security;

namespace EmailMonitor.Realtime;

/// <summary>Reads one client frame and answers it, per the message table and rules of CONTRACT §4.</summary>
internal sealed class ClientRequests(ClientConnection connection, AuthService auth, UserAdministration users, SecurityLog securityLog, TimeProvider time)
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 16 };

    public async Task HandleAsync(WebSocketMessageType type, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (type != WebSocketMessageType.Text)
        {
            Invalid("binary frames are not accepted; send JSON text");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame, ParseOptions);
        }
        catch (JsonException)
        {
            Invalid("the frame is not valid JSON");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var typeProperty)
                || typeProperty.ValueKind != JsonValueKind.String)
            {
                Invalid("a frame must be a JSON object with a string 'type'");
                return;
            }

            await DispatchAsync(typeProperty.GetString()!, root, cancellationToken);
        }
    }

    private async Task DispatchAsync(string type, JsonElement message, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case MessageTypes.Ping:
                connection.Send(ServerMessages.Pong(time.GetUtcNow()));
                break;
            case MessageTypes.Login:
                await LoginAsync(message, cancellationToken);
                break;
            case MessageTypes.TokenAuth:
                await TokenAuthAsync(message, cancellationToken);
                break;
            case MessageTypes.RefreshToken:
                await RefreshAsync(message, cancellationToken);
                break;
            case MessageTypes.Resume:
                Resume(message);
                break;
            case MessageTypes.Logout:
                await LogoutAsync(message);
                break;
            default:
                Invalid("unknown message type");
                break;
        }
    }

    private async Task LoginAsync(JsonElement message, CancellationToken cancellationToken)
    {
        if (!TryGetString(message, "username", out var username) || !TryGetString(message, "password", out var password))
        {
            Invalid("login needs string fields 'username' and 'password'");
            return;
        }

        using (connection.Authenticating())
        {
            var outcome = await auth.LoginAsync(username, password, connection.RemoteAddress, cancellationToken);
            Answer(outcome);
        }
    }

    private async Task TokenAuthAsync(JsonElement message, CancellationToken cancellationToken)
    {
        if (!TryGetString(message, "token", out var token))
        {
            Invalid("token_auth needs a string field 'token'");
            return;
        }

        using (connection.Authenticating())
        {
            var outcome = await auth.AuthenticateTokenAsync(token, connection.RemoteAddress, cancellationToken);
            Answer(outcome);
            // A logout between the check and this connection taking the login missed it: look again.
            if (outcome.Succeeded && !await auth.IsLoginActiveAsync(outcome.User!.SessionId, cancellationToken))
            {
                connection.Close(WebSocketCloseStatus.PolicyViolation, "login revoked");
            }
        }
    }

    private async Task RefreshAsync(JsonElement message, CancellationToken cancellationToken)
    {
        if (!TryGetString(message, "refresh_token", out var refreshToken))
        {
            Invalid("refresh_token needs a string field 'refresh_token'");
            return;
        }

        var outcome = await auth.RefreshAsync(refreshToken, connection.RemoteAddress, cancellationToken);
        if (outcome.Succeeded)
        {
            connection.Send(ServerMessages.TokenRefreshed(outcome, time.GetUtcNow()));
        }
        else
        {
            SendError(outcome.Failure!.Value);
        }
    }

    private void Resume(JsonElement message)
    {
        if (!RequireAuthentication())
        {
            return;
        }

        if (!message.TryGetProperty("last_event_id", out var last)
            || last.ValueKind != JsonValueKind.Number
            || !last.TryGetInt64(out var lastEventId)
            || lastEventId < 0)
        {
            Invalid("resume needs 'last_event_id', a whole number of at least 0");
            return;
        }

        connection.RequestReplay(lastEventId);
    }

    private async Task LogoutAsync(JsonElement message)
    {
        var everywhere = false;
        if (message.TryGetProperty("everywhere", out var given))
        {
            if (given.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Invalid("logout's 'everywhere' must be true or false");
                return;
            }

            everywhere = given.GetBoolean();
        }

        if (!RequireAuthentication())
        {
            return;
        }

        // The revocation completes even if the client hangs up meanwhile, and the 1000 close that
        // follows it is the client's confirmation that it is done.
        if (everywhere)
        {
            // Every login of the user, on any device and instance: refresh and access tokens stop
            // working, and their other connections close as revoked (1008); this one with 1000, as
            // a logout does, once all that is done.
            var username = connection.User!.Username;
            await connection.CloseAfterAsync(
                () => users.EndLoginsAsync(username, connection.RemoteAddress, CancellationToken.None), WebSocketCloseStatus.NormalClosure, "logged out");
            return;
        }

        // Every other connection of the same login is closed too.
        await auth.LogoutAsync(connection.User!, CancellationToken.None);
        connection.Close(WebSocketCloseStatus.NormalClosure, "logged out");
    }

    private void Answer(AuthOutcome outcome)
    {
        if (outcome.Succeeded)
        {
            connection.Authenticated(outcome.User!, ServerMessages.AuthSuccess(outcome, time.GetUtcNow()));
        }
        else
        {
            SendError(outcome.Failure!.Value);
        }
    }

    private bool RequireAuthentication()
    {
        if (connection.User is null)
        {
            connection.Send(ServerMessages.Error(ErrorCodes.AuthRequired, "Authenticate first with login or token_auth."));
            return false;
        }

        if (connection.HasExpired)
        {
            SendError(AuthFailure.TokenExpired);
            return false;
        }

        return true;
    }

    private void SendError(AuthFailure failure)
    {
        var (code, text) = ErrorCodes.For(failure);
        connection.Send(ServerMessages.Error(code, text));
    }

    private void Invalid(string reason)
    {
        securityLog.InvalidMessage(connection.RemoteAddress, connection.User?.Username, reason);
        connection.Send(ServerMessages.Error(ErrorCodes.InvalidMessage, $"Invalid message: {reason}."));
    }

    private static bool TryGetString(JsonElement message, string name, out string value)
    {
        value = string.Empty;
        if (!message.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            value = property.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // Escapes that decode to invalid UTF-16 (a lone surrogate) make no usable string.
            return false;
        }
    }
}
