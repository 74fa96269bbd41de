'use strict';
// The triage view: the live list with risk and flags, search and filters (GET /api/emails), the
// keyboard (j/k, Enter, Esc, /), and the email itself with why each flag was set.
(() => {
  const $ = (id) => document.getElementById(id);
  const { api, problemText, register, countChanged } = window.emailMonitorDashboard;
  const pageSize = 200;
  const emails = new Map(); // event_id → email, as shown
  let nextBefore = null;
  let filter = {}; // as submitted
  let newWhileSearching = 0;
  let opened = null;
  let generation = 0; // of the list: an answer to an older search is dropped

  // Why each flag is set, and from what (CONTRACT §4): shown beside the flag, never colour alone.
  const flagReasons = {
    dangerous_attachment: 'An attachment is a kind of file that runs code when opened (a blocked extension, or executable content whatever its name says).',
    double_extension: 'An attachment\'s name hides its real type behind a harmless-looking one, such as invoice.pdf.exe.',
    rtlo_filename: 'An attachment\'s name holds a Unicode right-to-left override, which makes the end of the name display reversed.',
    type_mismatch: 'An attachment\'s content (its first bytes) is not the type its name or declared content type claims.',
    macro_document: 'An Office document carries macros, a common way to run code once it is opened.',
    encrypted_archive: 'An archive is password-protected, so what it holds could not be inspected.',
    oversized_attachment: 'An attachment is larger than the inspection limit, so it was not inspected in full.',
    script_removed: 'The HTML carried scripts or other active content (event handlers, javascript: links, forms, frames); it was removed.',
    external_images: 'The HTML loads images from remote servers (tracking pixels tell the sender the mail was opened); they were not loaded.',
    suspicious_link: 'A link shows one domain in its text but leads to another, or leads to a bare IP address or a punycode or mixed-script host.',
    sender_spoofing: 'The sender\'s display name shows an email address that is not the address the mail came from.',
    reply_to_mismatch: 'Replies would go to a different domain (Reply-To) than the one the mail claims to come from.',
    spf_fail: 'The receiving server\'s Authentication-Results says SPF failed: the sending server may not send for the sender\'s domain.',
    dkim_fail: 'The receiving server\'s Authentication-Results says DKIM failed: the signature did not verify, so the mail may be forged or altered.',
    dmarc_fail: 'The receiving server\'s Authentication-Results says DMARC failed: the From domain\'s policy was not met.',
    malformed_message: 'The message\'s MIME structure could not be read cleanly; what could be read is shown.',
  };

  function riskLevel(score) {
    if (score >= 75) return 'critical';
    if (score >= 50) return 'high';
    if (score >= 25) return 'medium';
    if (score > 0) return 'low';
    return 'none';
  }

  function riskBadge(score) {
    const badge = document.createElement('span');
    const level = riskLevel(score);
    badge.className = `risk-badge risk-${level}`;
    badge.textContent = `${level === 'high' || level === 'critical' ? '⚠ ' : ''}risk ${score} · ${level}`;
    return badge;
  }

  function flagList(flags) {
    const span = document.createElement('span');
    span.className = 'flags';
    for (const flag of flags) {
      const badge = document.createElement('span');
      badge.className = 'flag';
      badge.textContent = `⚑ ${flag}`;
      badge.title = flagReasons[flag] || 'Set by a plugin or rule.';
      span.append(badge);
    }
    return span;
  }

  function tagList(tags) {
    const span = document.createElement('span');
    for (const tag of tags || []) {
      const badge = document.createElement('span');
      badge.className = 'tag';
      badge.textContent = `# ${tag}`;
      span.append(badge);
    }
    return span;
  }

  // --- The list ---

  function sorted() {
    const all = [...emails.values()];
    return filter.sort === 'risk'
      ? all.sort((a, b) => b.risk_score - a.risk_score || b.event_id - a.event_id)
      : all.sort((a, b) => b.event_id - a.event_id);
  }

  function itemFor(email) {
    const item = document.createElement('li');
    item.dataset.eventId = email.event_id;
    if (email.security_flags.length > 0) item.classList.add('risky');
    item.classList.add(`level-${riskLevel(email.risk_score)}`);
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'open';
    const subject = document.createElement('strong');
    subject.textContent = email.subject || '(no subject)';
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${email.sender_name || email.sender} · ${new Date(email.received_at).toLocaleString()} · ${email.mailbox}/${email.folder}`;
    open.append(subject, meta);
    open.addEventListener('click', () => showDetail(email));
    if (opened === email.event_id) item.setAttribute('aria-current', 'true');
    item.append(open, riskBadge(email.risk_score), flagList(email.security_flags), tagList(email.tags));
    return item;
  }

  function counted() {
    $('count').textContent = `(${emails.size} shown)`;
    $('load-more').hidden = nextBefore === null;
    countChanged();
  }

  function render() {
    $('emails').replaceChildren(...sorted().map(itemFor));
    counted();
  }

  // One live email, newest first: its item goes in place, rather than the list drawn again.
  function insert(email) {
    if (filter.sort === 'risk') { render(); return; }
    const older = [...$('emails').children].find((other) => Number(other.dataset.eventId) < email.event_id);
    $('emails').insertBefore(itemFor(email), older || null);
    counted();
  }

  function searching() { return Object.entries(filter).some(([key, value]) => key !== 'sort' && value); }

  function query(before) {
    const params = new URLSearchParams({ limit: String(pageSize) });
    for (const [key, value] of Object.entries(filter)) {
      if (value && key !== 'sort' && key !== 'until') params.set(key, value);
    }
    // "Until" a day means to its end: the API's bound is exclusive.
    if (filter.until) {
      const next = new Date(`${filter.until}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      params.set('until', next.toISOString().slice(0, 10));
    }
    if (before) params.set('before', String(before));
    return `/api/emails?${params}`;
  }

  async function loadPage(before) {
    const mine = generation;
    const response = await api('GET', query(before));
    if (mine !== generation) return 0;
    if (!response.ok) {
      $('list-state').textContent = await problemText(response);
      return 0;
    }
    const page = await response.json();
    if (mine !== generation) return 0;
    for (const email of page.items) emails.set(email.event_id, email);
    nextBefore = page.next_before;
    render();
    return page.items.length > 0 ? page.items[0].event_id : 0;
  }

  async function firstPage() {
    try {
      return await loadPage(null);
    } catch {
      return 0; // resuming from the start still shows everything; only slower
    }
  }

  // A live email joins the list when it passes the filters; with words to search for, whether it
  // matches is the server's call, so the view offers to search again.
  function matches(email) {
    if (filter.mailbox && email.mailbox !== filter.mailbox) return false;
    if (filter.folder && email.folder !== filter.folder) return false;
    if (filter.flag && !email.security_flags.includes(filter.flag)) return false;
    if (filter.tag && !(email.tags || []).includes(filter.tag)) return false;
    if (filter.min_risk && email.risk_score < Number(filter.min_risk)) return false;
    if (filter.since || filter.until) return false;
    return true;
  }

  function email(message) {
    if (emails.has(message.event_id)) return;
    if (filter.q || !matches(message)) {
      if (searching()) {
        newWhileSearching++;
        $('list-state').textContent = `${newWhileSearching} new email${newWhileSearching === 1 ? '' : 's'} arrived; search again or clear the filters to see ${newWhileSearching === 1 ? 'it' : 'them'}.`;
      }
      return;
    }
    emails.set(message.event_id, message);
    // Bounded: past 1,000, the oldest leaves the live list.
    if (emails.size > 1000) {
      const oldest = Math.min(...emails.keys());
      emails.delete(oldest);
      $('emails').querySelector(`li[data-event-id="${oldest}"]`)?.remove();
    }
    insert(message);
  }

  async function search() {
    const form = new FormData($('filters'));
    filter = Object.fromEntries([...form.entries()].map(([key, value]) => [key, String(value).trim()]));
    generation++;
    emails.clear();
    nextBefore = null;
    newWhileSearching = 0;
    $('list-state').textContent = searching() ? 'Searching…' : '';
    const mine = generation;
    await loadPage(null);
    if (mine !== generation || !$('list-state').textContent.startsWith('Searching')) return;
    $('list-state').textContent = searching()
      ? `${emails.size}${nextBefore ? '+' : ''} email${emails.size === 1 ? '' : 's'} found.`
      : '';
  }

  $('filters').addEventListener('submit', (event) => { event.preventDefault(); search(); });
  $('filters').addEventListener('change', (event) => { if (event.target.name !== 'q') search(); });
  $('clear-filters').addEventListener('click', () => { $('filters').reset(); search(); });
  $('load-more').addEventListener('click', async () => {
    const before = nextBefore;
    if (before) await loadPage(before);
  });

  // --- The email ---

  const fileSize = (bytes) => (bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`);

  // The email's own policy, on top of this page's: a relative URL in the email resolves against
  // this page (the monitor's API), so nothing may load from here or anywhere else; only images
  // that travel inside the message, as data: URLs, and inline styles.
  const emailPolicy = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'; base-uri \'none\'; form-action \'none\'">';

  function showDetail(email) {
    opened = email.event_id;
    for (const item of $('emails').children) item.toggleAttribute('aria-current', Number(item.dataset.eventId) === opened);
    $('detail').hidden = false;
    $('detail-subject').textContent = email.subject || '(no subject)';
    $('detail-risk').replaceChildren(riskBadge(email.risk_score));
    $('detail-from').textContent = email.sender_name ? `${email.sender_name} <${email.sender}>` : email.sender;
    $('detail-to').textContent = email.recipients.join(', ') || '—';
    $('detail-date').textContent = email.date || '—';
    $('detail-received').textContent = email.received_at;
    $('detail-mailbox').textContent = `${email.mailbox} / ${email.folder}`;
    $('detail-tags').replaceChildren(email.tags && email.tags.length ? tagList(email.tags) : document.createTextNode('none'));
    $('detail-flags').replaceChildren(email.security_flags.length ? flagList(email.security_flags) : document.createTextNode('none'));
    $('detail-why').replaceChildren(...whyFlagged(email));
    showAttachments(email.attachments);
    $('detail-html').srcdoc = emailPolicy + email.html_content;
    $('detail-html').hidden = email.html_content === '';
    $('detail-text').textContent = email.text_content || '(no text part)';
    $('headers').hidden = true;
    $('show-headers').setAttribute('aria-expanded', 'false');
    $('show-headers').dataset.id = email.id;
    $('copy-state').textContent = '';
    $('detail').focus();
  }

  function whyFlagged(email) {
    if (email.security_flags.length === 0) {
      const none = document.createElement('dd');
      none.textContent = 'Nothing was flagged.';
      return [none];
    }
    return email.security_flags.flatMap((flag) => {
      const term = document.createElement('dt');
      term.textContent = `⚑ ${flag}`;
      const reason = document.createElement('dd');
      let text = flagReasons[flag] || 'Set by a plugin or rule.';
      // From what: the attachments that carry the flag, and the name that spoofs.
      const carriers = email.attachments.filter((a) => (a.flags || []).includes(flag)).map((a) => a.filename || '(unnamed)');
      if (carriers.length > 0) text += ` Found in: ${carriers.join(', ')}.`;
      if (flag === 'sender_spoofing') text += ` The name shows "${email.sender_name}", the mail came from ${email.sender}.`;
      reason.textContent = text;
      return [term, reason];
    });
  }

  function showAttachments(attachments) {
    $('detail-no-attachments').hidden = attachments.length > 0;
    $('detail-attachments').hidden = attachments.length === 0;
    $('detail-attachments').tBodies[0].replaceChildren(...attachments.map((attachment) => {
      const row = document.createElement('tr');
      const cell = (content) => { const td = document.createElement('td'); td.append(content); row.append(td); return td; };
      cell(attachment.filename || '(unnamed)');
      cell(attachment.detected_type && attachment.detected_type !== attachment.content_type
        ? `${attachment.detected_type} (declared ${attachment.content_type})` : attachment.content_type || attachment.detected_type || '—');
      cell(fileSize(attachment.size));
      const hash = document.createElement('code');
      hash.textContent = attachment.sha256;
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = 'Copy';
      copy.setAttribute('aria-label', `Copy the SHA-256 of ${attachment.filename || 'the attachment'}`);
      copy.addEventListener('click', () => copyText(attachment.sha256, attachment.filename));
      const hashCell = cell(hash);
      hashCell.className = 'hash';
      hashCell.append(' ', copy);
      cell((attachment.flags || []).length ? flagList(attachment.flags) : document.createTextNode('none'));
      return row;
    }));
  }

  async function copyText(text, name) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Outside a secure context the clipboard API is absent: copy through a selection.
      const field = document.createElement('textarea');
      field.value = text;
      field.setAttribute('readonly', '');
      field.className = 'offscreen';
      document.body.append(field);
      field.select();
      document.execCommand('copy');
      field.remove();
    }
    $('copy-state').textContent = `SHA-256 of ${name || 'the attachment'} copied.`;
  }

  // An id's folder may hold "/", which stays a path separator; everything else is escaped.
  const idPath = (id) => id.split('/').map(encodeURIComponent).join('/');

  $('show-headers').addEventListener('click', async () => {
    const expanded = $('show-headers').getAttribute('aria-expanded') === 'true';
    $('headers').hidden = expanded;
    $('show-headers').setAttribute('aria-expanded', String(!expanded));
    $('show-headers').textContent = expanded ? 'Show the raw headers' : 'Hide the raw headers';
    if (expanded) return;
    const id = $('show-headers').dataset.id;
    $('raw-headers').textContent = 'Loading…';
    $('auth-results').tBodies[0].replaceChildren();
    const response = await api('GET', `/api/emails/headers/${idPath(id)}`);
    // Another email may have been opened meanwhile: its panel is not this answer's.
    if (id !== $('show-headers').dataset.id) return;
    if (!response.ok) { $('raw-headers').textContent = await problemText(response); return; }
    const headers = await response.json();
    if (id !== $('show-headers').dataset.id) return;
    $('auth-server').textContent = headers.authentication_server
      ? `Verdicts of ${headers.authentication_server}.`
      : 'No Authentication-Results header the monitor trusts.';
    $('auth-results').tBodies[0].replaceChildren(...headers.authentication.map((verdict) => {
      const row = document.createElement('tr');
      for (const text of [verdict.method, `${verdict.result === 'pass' ? '✓' : verdict.result === 'fail' ? '✗' : '•'} ${verdict.result}${verdict.reason ? ` (${verdict.reason})` : ''}`, verdict.properties.join(' ')]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
    $('raw-headers').textContent = headers.known ? headers.headers : 'Not kept for mail stored before this version.';
  });

  function closeDetail() {
    const was = opened;
    opened = null;
    $('detail').hidden = true;
    $('detail-html').srcdoc = '';
    render();
    const item = [...$('emails').children].find((li) => Number(li.dataset.eventId) === was);
    if (item) item.querySelector('button.open').focus();
  }

  $('detail-close').addEventListener('click', closeDetail);

  // --- The keyboard ---

  function move(step) {
    const buttons = [...$('emails').querySelectorAll('button.open')];
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement);
    const next = at === -1 ? 0 : Math.min(buttons.length - 1, Math.max(0, at + step));
    buttons[next].focus();
  }

  document.addEventListener('keydown', (event) => {
    if ($('inbox').hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest('input, select, textarea');
    if (event.key === 'Escape') {
      if (typing && event.target.id === 'search') { event.target.blur(); return; }
      if (!$('detail').hidden) { event.preventDefault(); closeDetail(); }
      return;
    }
    if (typing) return;
    if (event.key === '/') { event.preventDefault(); $('search').focus(); }
    else if (event.key === 'j') { event.preventDefault(); move(1); }
    else if (event.key === 'k') { event.preventDefault(); move(-1); }
  });

  // --- Filter choices from what the service knows ---

  function fillChoices() {
    const flags = $('filters').elements.namedItem('flag');
    flags.replaceChildren(new Option('any', ''), ...Object.keys(flagReasons).map((flag) => new Option(flag, flag)));
    api('GET', '/api/stats').then((response) => (response.ok ? response.json() : null)).then((stats) => {
      if (!stats) return;
      const names = [...new Set(stats.mailboxes.map((m) => m.mailbox))].sort();
      $('filters').elements.namedItem('mailbox').replaceChildren(new Option('all', ''), ...names.map((name) => new Option(name, name)));
    }).catch(() => {});
  }

  register('triage', {
    firstPage,
    email,
    count: () => emails.size,
    signedIn: fillChoices,
    clear() {
      generation++;
      emails.clear();
      filter = {};
      nextBefore = null;
      opened = null;
      newWhileSearching = 0;
      $('filters').reset();
      $('emails').replaceChildren();
      $('count').textContent = '';
      $('list-state').textContent = '';
      $('detail').hidden = true;
      $('detail-html').srcdoc = '';
      $('detail-text').textContent = '';
      $('raw-headers').textContent = '';
      $('auth-results').tBodies[0].replaceChildren();
    },
  });
})();
