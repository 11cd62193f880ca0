/**
 * Where a command takes a password from: `--password` (seen by `ps` and kept in shell history),
 * `--password-stdin`, or, on a terminal, a prompt that does not echo.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError, type Values } from './command.ts';

/** Far above any password the rules accept, so a wrong pipe is refused rather than read whole. */
const STDIN_LIMIT = 8192;

/** The options a command adds to take a password. */
export const passwordOptions = {
  password: {
    type: 'string',
    description:
      'the password; visible to other users of this machine (ps) and kept in shell history',
  },
  'password-stdin': {
    type: 'boolean',
    description: 'read the password from standard input (one line)',
  },
} as const;

export async function passwordFrom(values: Values): Promise<string> {
  const given = values.password;
  if (given !== undefined && values['password-stdin'] === true)
    throw new UsageError('give --password or --password-stdin, not both');
  if (typeof given === 'string') return given;
  if (values['password-stdin'] === true) return readStdinLine();
  if (process.stdin.isTTY) return promptTwice();
  throw new UsageError(
    'no password: pipe it in with --password-stdin, or run in a terminal to be asked for it',
  );
}

/** Standard input up to its end, less one trailing newline, as `docker login --password-stdin`. */
async function readStdinLine(): Promise<string> {
  let text = '';
  // Decoded as one stream, so a character split between two chunks stays whole.
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    text += chunk as string;
    if (text.length > STDIN_LIMIT)
      throw new UsageError(`--password-stdin read more than ${STDIN_LIMIT} characters`);
  }
  const line = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(line))
    throw new UsageError('--password-stdin takes one line, standard input had several');
  if (line === '') throw new UsageError('--password-stdin found no password on standard input');
  return line;
}

/**
 * Asks on the terminal, twice. readline puts the terminal in raw mode, which stops its echo, and
 * writes what it would echo to an output that drops it; one interface serves both questions so
 * echo never comes back in between.
 */
async function promptTwice(): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const ask = (question: string) =>
    new Promise<string>((resolve, reject) => {
      const onClose = () => reject(new UsageError('no password given'));
      rl.once('close', onClose);
      rl.once('SIGINT', () => {
        process.stderr.write('\n');
        rl.close();
      });
      muted = false;
      rl.question(question, (answer) => {
        rl.off('close', onClose);
        rl.removeAllListeners('SIGINT');
        process.stderr.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  try {
    const first = await ask('Password: ');
    const second = await ask('Password again: ');
    if (first !== second) throw new UsageError('the two passwords differ; nothing was created');
    return first;
  } finally {
    rl.close();
  }
}
