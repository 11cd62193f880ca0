// The header's unread count kept live: an EventSource on /notifications/stream updates the badge
// without a reload. Without the script, each page shows the count as it was when it was built.
'use strict';

(() => {
  const badge = document.getElementById('unread-count');
  if (!badge || typeof EventSource === 'undefined') return;
  const CAP = 100;
  /** A refused or broken stream is tried again after this long, doubling up to the last. */
  const RETRY_MS = [5000, 15000, 60000, 300000];
  let failures = 0;

  function show(count) {
    badge.textContent = '';
    badge.hidden = count === 0;
    if (count === 0) return;
    badge.append(count >= CAP ? `${CAP - 1}+` : String(count));
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = ' unread';
    badge.append(hidden);
  }

  function connect() {
    const source = new EventSource(badge.dataset.stream ?? '/notifications/stream');
    source.addEventListener('unread', (event) => {
      failures = 0;
      const count = Number(event.data);
      if (Number.isInteger(count) && count >= 0) show(count);
    });
    source.addEventListener('error', () => {
      // The browser reconnects a stream that ended; one it gave up on (refused) is ours to retry.
      if (source.readyState !== EventSource.CLOSED) return;
      const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
      failures += 1;
      setTimeout(connect, wait);
    });
  }

  connect();
})();
