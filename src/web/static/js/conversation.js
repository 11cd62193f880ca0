// The discussion in place: reacting, saving, commenting, replying, editing, deleting and hiding
// without leaving the page. Each form still posts on its own without the script.
'use strict';

(() => {
  const NOT_ANSWERED = 'The server did not answer; try again.';

  function showError(message) {
    const alert = document.getElementById('discussion-error');
    if (!alert) return;
    alert.textContent = message;
    alert.hidden = false;
  }

  async function post(form) {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    const answer = await response.json().catch(() => null);
    if (!response.ok || !answer) {
      const detail = answer?.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
      throw new Error(detail || answer?.detail || `That did not work (error ${response.status}).`);
    }
    return answer;
  }

  async function toggleReaction(form, button) {
    const answer = await post(form);
    button.setAttribute('aria-pressed', answer.given ? 'true' : 'false');
    const count = form.dataset.count && document.getElementById(form.dataset.count);
    if (count) count.textContent = String(answer.count);
  }

  // On an article page the answer is the whole discussion as it now is; elsewhere (a comment's
  // own page), the page the change shows on is loaded.
  async function changeComment(form) {
    const answer = await post(form);
    const current = document.getElementById('discussion');
    if (!answer.html || !current || current.dataset.scope !== 'article') {
      window.location.assign(answer.location);
      return;
    }
    const anchor = new URL(answer.location, window.location.href);
    if (anchor.pathname !== window.location.pathname) {
      window.location.assign(answer.location);
      return;
    }
    const next = new DOMParser().parseFromString(answer.html, 'text/html').body.firstElementChild;
    if (!next) return;
    current.replaceWith(document.adoptNode(next));
    const target = anchor.hash && document.getElementById(anchor.hash.slice(1));
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  // Registered after the confirmation of data-confirm forms, so a refused delete stays here.
  document.addEventListener('submit', (event) => {
    if (event.defaultPrevented) return;
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest('#discussion')) return;
    const kind = form.dataset.inplace;
    if (kind !== 'reaction' && kind !== 'comment') return;
    event.preventDefault();
    const button = event.submitter ?? form.querySelector('button');
    if (button) button.disabled = true;
    const work = kind === 'reaction' ? toggleReaction(form, button) : changeComment(form);
    work
      .catch((error) => showError(error instanceof TypeError ? NOT_ANSWERED : error.message))
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
})();
