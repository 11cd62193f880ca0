/** Where this site's WebSub hub listens: every feed advertises it, and deliveries name it. */

export const WEBSUB_PATH = '/websub';

export const hubUrl = (baseUrl: string) => `${baseUrl}${WEBSUB_PATH}`;
