// Prints each email the monitor sees, live, and never misses one across reconnects.
// Node.js 22 or later (Node 20: node --experimental-websocket monitor.mjs); in a browser, the same
// handlers work with the variables below given by the page.
//   EMAIL_MONITOR_URL=ws://localhost:8765/ws EMAIL_MONITOR_USERNAME=analyst EMAIL_MONITOR_PASSWORD=… node monitor.mjs
// STOP_AFTER=n exits after n emails (for scripts).
const url = process.env.EMAIL_MONITOR_URL ?? 'ws://localhost:8765/ws';
const username = process.env.EMAIL_MONITOR_USERNAME;
const password = process.env.EMAIL_MONITOR_PASSWORD;
const stopAfter = Number(process.env.STOP_AFTER ?? 0);

let lastEventId = 0; // keep it (in a file, say) to resume from it after a restart of this client
let tokens = null;   // { access, refresh }
let seen = 0;
let delay = 1000;
let stopped = false;

function connect() {
  const socket = new WebSocket(url);
  const send = (message) => socket.send(JSON.stringify(message));
  // An attempt that neither opens nor fails within 10 s is given up and made again (Node 20's
  // WebSocket can drop a refused handshake without a close event).
  const opening = setTimeout(() => { socket.onclose = null; socket.close(); retry(); }, 10000);

  socket.onopen = () => {
    clearTimeout(opening);
    // The first time with the password; after a drop with the access token, which needs none.
    send(tokens ? { type: 'token_auth', token: tokens.access } : { type: 'login', username, password });
  };

  socket.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    switch (message.type) {
      case 'auth_success':
        if (message.access_token) tokens = { access: message.access_token, refresh: message.refresh_token };
        delay = 1000;
        // Everything stored after the last event seen, then live events as they come.
        send({ type: 'resume', last_event_id: lastEventId });
        break;
      case 'token_refreshed':
        tokens = { access: message.access_token, refresh: message.refresh_token };
        send({ type: 'token_auth', token: tokens.access });
        break;
      case 'new_email': {
        lastEventId = message.event_id;
        const flags = message.security_flags.length ? ` [${message.security_flags.join(', ')}]` : '';
        console.log(`#${message.event_id} risk ${message.risk_score}${flags} ${message.sender}: ${message.subject}`);
        // The server's 1000 after a logout ends the loop; Node then exits once its output is written.
        if (stopAfter > 0 && ++seen >= stopAfter) send({ type: 'logout' });
        break;
      }
      case 'error':
        if (message.code === 'token_expired') send({ type: 'refresh_token', refresh_token: tokens.refresh });
        else if (['auth_failed', 'account_locked', 'token_revoked'].includes(message.code)) {
          console.error(message.message);
          process.exitCode = 1;
          stopped = true;
          socket.close();
        }
        else console.error(`${message.code}: ${message.message}`);
        break;
    }
  };

  // 1000 follows a logout; anything else (a restart, a network cut) is retried with backoff and
  // jitter, and resume fills the gap.
  socket.onclose = ({ code }) => {
    clearTimeout(opening);
    if (code !== 1000 && !stopped) retry();
  };
  socket.onerror = () => {}; // onclose follows
}

function retry() {
  const wait = delay / 2 + Math.random() * delay / 2;
  delay = Math.min(delay * 2, 30000);
  setTimeout(connect, wait);
}

connect();
