'use strict';
// A minimal client of the WebSocket API (CONTRACT §4): log in, resume, list arriving email.
// Tokens live in memory only; a reload asks for the password again.
(() => {
  const $ = (id) => document.getElementById(id);
  const maxShown = 200;
  let socket = null;
  let session = null; // { accessToken, refreshToken }
  let lastEventId = 0;
  let refreshTimer = null;
  let reconnectDelay = 1000;
  let loggingOut = false;
  const emails = new Map();

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function setStatus(text) { $('status').textContent = text; }

  function connect(onOpen) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/ws`);
    socket.onopen = () => { reconnectDelay = 1000; onOpen(); };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = () => {
      clearTimeout(refreshTimer);
      if (loggingOut || !session) { setStatus('signed out'); return; }
      setStatus('reconnecting…');
      setTimeout(() => connect(() => send({ type: 'token_auth', token: session.accessToken })), reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    };
  }

  function handle(message) {
    switch (message.type) {
      case 'auth_success':
        if (message.access_token) session = { accessToken: message.access_token, refreshToken: message.refresh_token };
        scheduleRefresh(message.expires_in);
        showInbox(message.username);
        catchUp();
        break;
      case 'token_refreshed':
        session = { accessToken: message.access_token, refreshToken: message.refresh_token };
        send({ type: 'token_auth', token: session.accessToken });
        break;
      case 'new_email':
        add(message);
        break;
      case 'resume_complete':
        setStatus(`live · ${emails.size} emails`);
        break;
      case 'error':
        if (message.code === 'token_expired' && session) { send({ type: 'refresh_token', refresh_token: session.refreshToken }); break; }
        // A refused sign-in closes the socket rather than leave it to time out unauthenticated,
        // which the server counts against this address.
        if (['auth_failed', 'account_locked', 'token_revoked', 'invalid_token'].includes(message.code)
          || (message.code === 'rate_limited' && !session)) signOut(message.message);
        break;
    }
  }

  // The first time, the newest page comes over REST and the WebSocket resumes after it, rather
  // than replaying every stored event; after a reconnect, resume picks up exactly where it was.
  async function catchUp() {
    if (lastEventId === 0) {
      try {
        const response = await fetch(`/api/emails?limit=${maxShown}`, { headers: { Authorization: `Bearer ${session.accessToken}` } });
        if (response.ok) {
          const page = await response.json();
          for (const email of page.items.reverse()) add(email);
        }
      } catch {
        // Resuming from the start still shows everything; only slower.
      }
    }
    send({ type: 'resume', last_event_id: lastEventId });
  }

  function scheduleRefresh(expiresIn) {
    clearTimeout(refreshTimer);
    const delay = Math.max(5, expiresIn - 30) * 1000;
    refreshTimer = setTimeout(() => send({ type: 'refresh_token', refresh_token: session.refreshToken }), delay);
  }

  function add(email) {
    if (emails.has(email.event_id)) return;
    emails.set(email.event_id, email);
    lastEventId = Math.max(lastEventId, email.event_id);
    const item = document.createElement('li');
    if (email.security_flags.length > 0) item.classList.add('risky');
    const subject = document.createElement('strong');
    subject.textContent = email.subject || '(no subject)';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${email.sender_name || email.sender} · ${new Date(email.received_at).toLocaleString()}`;
    item.append(subject, meta, flagList(email.security_flags));
    item.onclick = () => showDetail(email);
    item.dataset.eventId = email.event_id;
    // Newest first, whatever order events arrive in (live ones can overtake a page being loaded).
    const older = [...$('emails').children].find((other) => Number(other.dataset.eventId) < email.event_id);
    $('emails').insertBefore(item, older || null);
    while ($('emails').children.length > maxShown) $('emails').lastChild.remove();
    $('count').textContent = `(${emails.size})`;
  }

  function flagList(flags) {
    const span = document.createElement('span');
    for (const flag of flags) {
      const badge = document.createElement('span');
      badge.className = 'flag';
      badge.textContent = flag;
      span.append(badge);
    }
    return span;
  }

  // The email's own policy, on top of this page's: a relative URL in the email resolves against
  // this page (the monitor's API), so nothing may load from here or anywhere else; only images
  // that travel inside the message, as data: URLs, and inline styles.
  const emailPolicy = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'; base-uri \'none\'; form-action \'none\'">';

  function showDetail(email) {
    $('detail').hidden = false;
    $('detail-subject').textContent = email.subject || '(no subject)';
    $('detail-from').textContent = email.sender_name ? `${email.sender_name} <${email.sender}>` : email.sender;
    $('detail-to').textContent = email.recipients.join(', ');
    $('detail-date').textContent = email.date || email.received_at;
    $('detail-flags').replaceChildren(flagList(email.security_flags));
    $('detail-attachments').textContent = email.attachments.length === 0 ? 'none'
      : email.attachments.map((a) => `${a.filename} (${a.content_type}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…)`).join('; ');
    $('detail-html').srcdoc = emailPolicy + email.html_content;
    $('detail-html').hidden = email.html_content === '';
    $('detail-text').textContent = email.text_content;
  }

  function showInbox(username) {
    $('login').hidden = true;
    $('inbox').hidden = false;
    $('logout').hidden = false;
    setStatus(`signed in as ${username}`);
  }

  function signOut(reason) {
    session = null;
    $('login').hidden = false;
    $('inbox').hidden = true;
    $('logout').hidden = true;
    $('login-error').textContent = reason || '';
    if (socket) socket.close();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    loggingOut = false;
    $('login-error').textContent = '';
    const credentials = { type: 'login', username: form.get('username'), password: form.get('password') };
    if (socket && socket.readyState === WebSocket.OPEN) send(credentials);
    else connect(() => send(credentials));
    event.target.reset();
  });

  $('logout').addEventListener('click', () => {
    loggingOut = true;
    send({ type: 'logout' });
    signOut('');
  });
})();
