/**
 * The local-directory destination: objects at `<directory>/<bucket>/<key>`, written durably (see
 * files.ts), and a digest's S3 metadata beside it as `<key>.metadata.json`. A digest whose
 * metadata cannot be written is removed again, so no digest is ever left without its signature.
 */
import { METADATA_SUFFIX } from './digest-file.js';
import type { DeliveryDestination } from './destination.js';
import { objectPath, removeObject, writeObject } from './files.js';

export function directoryDestination(directory: string, bucket: string): DeliveryDestination {
  const pathOf = (key: string) => objectPath(directory, bucket, key);
  return {
    kind: 'directory',
    bucket,
    async put({ key, body, metadata }) {
      const path = pathOf(key);
      await writeObject(path, body);
      if (!metadata) return;
      try {
        await writeObject(path + METADATA_SUFFIX, Buffer.from(JSON.stringify(metadata), 'utf8'));
      } catch (err) {
        await removeObject(path);
        throw err;
      }
    },
    async remove(key) {
      await removeObject(pathOf(key));
      await removeObject(pathOf(key) + METADATA_SUFFIX);
    },
    close: () => undefined,
  };
}
