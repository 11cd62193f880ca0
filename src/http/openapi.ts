/** OpenAPI fragments shared by route schemas. */

/** Routes that take an API key: in the `api-key` header, or as a bearer token. */
export const keyAuth: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
