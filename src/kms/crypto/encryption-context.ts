/**
 * The encryption context's canonical bytes, bound as AES-GCM additional data: pairs sorted by key
 * (UTF-16 code unit order, so it is stable whatever order the client sent them in), JSON-encoded.
 * An empty or absent context is the empty byte string.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  if (!context) return Buffer.alloc(0);
  const keys = Object.keys(context).sort();
  if (keys.length === 0) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(keys.map((k) => [k, context[k]])), 'utf8');
}
