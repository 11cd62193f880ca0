/** The pages of accounts: first run, sign up, sign in, and error pages. */
import { html } from 'ghtml';
import { type FormState, field, formStart } from './forms.ts';

export function setupPage(state: FormState): string {
  return html`<section class="narrow">
<h1>Welcome to Quire</h1>
<p>This instance has no accounts yet. The account you create now is its administrator.</p>
!${formStart(state, '/setup')}
!${field(state, 'site_name', 'Site name', { required: false, hint: 'Shown in the header and in feeds' })}
!${field(state, 'username', 'Username', { autocomplete: 'username', hint: '3 to 30 characters: a-z, 0-9 and _' })}
!${field(state, 'email', 'Email', { type: 'email', autocomplete: 'email' })}
!${field(state, 'password', 'Password', { type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters' })}
<p><button type="submit">Create administrator account</button></p>
</form>
</section>`;
}

export function signUpPage(state: FormState): string {
  return html`<section class="narrow">
<h1>Create your account</h1>
!${formStart(state, '/signup')}
!${field(state, 'username', 'Username', { autocomplete: 'username', hint: '3 to 30 characters: a-z, 0-9 and _' })}
!${field(state, 'name', 'Name', { autocomplete: 'name', required: false })}
!${field(state, 'email', 'Email', { type: 'email', autocomplete: 'email' })}
!${field(state, 'password', 'Password', { type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters' })}
<p><button type="submit">Create account</button></p>
</form>
<p>Already have an account? <a href="/enter">Sign in</a>.</p>
</section>`;
}

export function signInPage(state: FormState): string {
  return html`<section class="narrow">
<h1>Sign in</h1>
!${formStart(state, '/enter')}
!${state.values.next ? html`<input type="hidden" name="next" value="${state.values.next}">` : ''}
!${field(state, 'login', 'Username or email', { autocomplete: 'username' })}
!${field(state, 'password', 'Password', { type: 'password', autocomplete: 'current-password' })}
<p><button type="submit">Sign in</button></p>
</form>
<p><a href="/password/forgot">Forgot your password?</a></p>
<p>New here? <a href="/signup">Create an account</a>.</p>
</section>`;
}

/** Asking for a password reset link; without a mail server, only a note saying so. */
export function forgotPasswordPage(state: FormState, available: boolean): string {
  if (!available) {
    return html`<section class="narrow">
<h1>Forgot your password?</h1>
<p>Password reset by email is not available: this site has no mail server configured. Ask an administrator of the site for help.</p>
<p><a href="/enter">Back to sign in</a></p>
</section>`;
  }
  return html`<section class="narrow">
<h1>Forgot your password?</h1>
<p>Give the email address of your account, and we will send you a link to choose a new password.</p>
!${formStart(state, '/password/forgot')}
!${field(state, 'email', 'Email', { type: 'email', autocomplete: 'email' })}
<p><button type="submit">Send the link</button></p>
</form>
<p><a href="/enter">Back to sign in</a></p>
</section>`;
}

/** The same answer whether or not an account has the address. */
export function resetLinkSentPage(): string {
  return html`<section class="narrow">
<h1>Check your mail</h1>
<p>If an account has that address, we have sent it a link to choose a new password. The link works for an hour, once.</p>
<p><a href="/enter">Back to sign in</a></p>
</section>`;
}

export function resetPasswordPage(state: FormState, token: string): string {
  return html`<section class="narrow">
<h1>Choose a new password</h1>
!${formStart(state, '/password/reset')}
<input type="hidden" name="token" value="${token}">
!${field(state, 'new_password', 'New password', { type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters' })}
!${field(state, 'new_password_confirmation', 'New password again', { type: 'password', autocomplete: 'new-password' })}
<p><button type="submit">Set the new password</button></p>
</form>
<p>Every browser signed in to your account will be signed out.</p>
</section>`;
}

export function errorPage(status: number, title: string, detail: string): string {
  return html`<section class="narrow error-page">
<h1>${title}</h1>
<p>${detail}</p>
<p class="status">Error ${status}</p>
<p><a href="/">Back to the home page</a></p>
</section>`;
}
