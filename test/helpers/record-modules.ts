/**
 * Loaded with `--import` into a child process: appends the URL of every module the process loads
 * to the file named by QUIRE_TEST_MODULE_LIST, so a test can say what a command did not load.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const list = process.env.QUIRE_TEST_MODULE_LIST;
if (list) {
  registerHooks({
    load(url, context, next) {
      appendFileSync(list, `${url}\n`);
      return next(url, context);
    },
  });
}
