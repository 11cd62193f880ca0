// The editor: a preview shown in place, and a warning before leaving with unsaved text.
'use strict';

(() => {
  const form = document.querySelector('form[data-editor]');
  const text = form?.querySelector('textarea[name="body_markdown"]');
  if (!form || !text) return;
  const section = document.getElementById('preview');
  const target = document.getElementById('preview-body');
  const heading = document.getElementById('preview-heading');
  // Text shown after a failed save or a preview is not saved yet, even before it is changed.
  const saved = form.hasAttribute('data-unsaved') ? null : text.value;
  let leaving = false;

  async function preview() {
    let answer;
    try {
      const response = await fetch('/preview', {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { accept: 'text/html' },
      });
      // 422 answers the rules the text breaks; other failures are whole error pages.
      answer =
        response.ok || response.status === 422
          ? await response.text()
          : `<p class="alert" role="alert">The preview failed (error ${response.status}).</p>`;
    } catch {
      answer = '<p class="alert" role="alert">The preview failed: the server did not answer.</p>';
    }
    target.innerHTML = answer;
    section.hidden = false;
    heading.focus();
  }

  // Registered after the confirmation of data-confirm forms, so a refused delete stays here.
  document.addEventListener('submit', (event) => {
    if (event.defaultPrevented) return;
    if (event.target === form && event.submitter?.value === 'preview' && section && target) {
      event.preventDefault();
      void preview();
      return;
    }
    leaving = true;
  });

  window.addEventListener('beforeunload', (event) => {
    if (leaving || text.value === saved) return;
    event.preventDefault();
    event.returnValue = '';
  });
})();
