/** Request schemas of the auth API; the answers are the account (`MyUser`) or nothing. */
import { Type } from 'typebox';

const Text = (maxLength: number) => Type.String({ maxLength });

export const SignUpBody = Type.Object({
  username: Text(100),
  email: Text(320),
  password: Text(2048),
  name: Type.Optional(Text(200)),
});

/** `login` is a username or an email. */
export const SignInBody = Type.Object({ login: Text(320), password: Text(2048) });
