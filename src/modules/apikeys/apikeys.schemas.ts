/** Request and response schemas of the API keys API. */
import { Type } from 'typebox';
import { NullableTimestamp, Timestamp } from '../../http/schemas.ts';

const keyFields = {
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  created_at: Timestamp,
  last_used_at: NullableTimestamp(),
  revoked_at: NullableTimestamp(),
};

export const ApiKey = Type.Object(keyFields, {
  $id: 'ApiKey',
  description: 'An API key, without the key',
});

export const ApiKeyCreated = Type.Object(
  { ...keyFields, key: Type.String({ description: 'The key itself; shown only here' }) },
  { $id: 'ApiKeyCreated', description: 'A new API key, with the key' },
);

export const ApiKeyWrite = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) });

export const apiKeyComponents = [ApiKey, ApiKeyCreated];
