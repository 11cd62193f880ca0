// Quire's only script: small enhancements over pages that work without it.
'use strict';

// A form or button with data-confirm asks before it submits (deleting, revoking, replaying).
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const button = event.submitter;
  const question = button?.dataset.confirm ?? form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
