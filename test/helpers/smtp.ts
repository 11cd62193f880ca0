/**
 * A real SMTP server on 127.0.0.1 for tests (smtp-server, without TLS or required sign-in),
 * keeping every message it accepts, parsed with mailparser. A message is kept before the
 * server answers 250, so a sender that saw success finds it here.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  readonly messages: ParsedMail[];
  close(): Promise<void>;
}

/** Starts an SMTP server on `port` (a free one unless given). */
export async function startSmtp(port = 0): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  const listening = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    const net = server.listen(port, '127.0.0.1', () => {
      const address = net.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  return {
    port: listening,
    url: `smtp://127.0.0.1:${listening}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
