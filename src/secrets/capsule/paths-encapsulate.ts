/**
 * `encapsulate` (update): `{data | records | table, write_context?, tags?, record_tags?, location?}`
 * → `{capsule_id, capsule (base64), domain, key_version, records}`. The data is classified by the
 * write context (default: `default`), sealed under a fresh data key wrapped by the latest domain
 * key, and the `create` access record is stored before the capsule is handed back.
 */
import type { PathSpec } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { randomBase62 } from '../../lib/ids.js';
import { BodyWriter } from './body-writer.js';
import { classifyFields } from './classify/classify.js';
import { qualifiedName } from './domain.js';
import type { CapsuleEngine } from './engine.js';
import { sealCapsule } from './format.js';
import { contextName, locationField, optionalString } from './input.js';
import { parseInput } from './records.js';
import { parseTagList, type Tag } from './tags.js';

/** `record_tags`: one tag list per record (or row), index-aligned; `manual` source. */
function parseRecordTags(records: number, raw: unknown): Tag[][] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > records) {
    throw invalid('"record_tags" must be a list with at most one tag list per record', 'capsule_invalid_tag');
  }
  return raw.map((tags, i) => parseTagList(`record_tags[${i}]`, tags, 'manual'));
}

export function encapsulatePath(engine: CapsuleEngine): PathSpec {
  return {
    pattern: 'encapsulate',
    handlers: {
      update: async (req) => {
        await engine.ready();
        const input = parseInput(req.data);
        const writeContextName = contextName(optionalString(req.data, 'write_context') ?? 'default', 'write context');
        const manualTags = parseTagList('tags', req.data.tags, 'manual');
        const recordTags = parseRecordTags(input.source.records, req.data.record_tags);
        const location = locationField(req.data);

        const context = await engine.writeContexts.get(writeContextName);
        if (!context) throw invalid(`unknown write context "${writeContextName}"`, 'capsule_unknown_write_context');
        // Tagged fields go straight into the body's index as classification finds them.
        const writer = new BodyWriter();
        recordTags.forEach((tags, r) => writer.recordTagged(r, tags));
        const ruleTags = classifyFields(input.source, context, (r, f, tags, spans) => writer.field(r, f, tags, spans));
        const writeContext = qualifiedName(engine.domain, writeContextName);

        const capsuleId = 'ca-' + randomBase62(22);
        const key = await engine.keys.latest();
        const body = writer.finish({
          shape: input.shape,
          capsuleTags: [...manualTags, ...ruleTags],
          writeContext,
          location,
          createdTime: new Date(engine.clock.now()).toISOString(),
        }, input.dataChunks, input.keptNumbers);
        const capsule = sealCapsule({ domain: engine.domain, capsuleId, keyVersion: key.version }, key.key, body);

        const actor = engine.actor(req.token);
        await engine.logs.appendAccess({
          domain: engine.domain,
          capsule: capsuleId,
          operation: 'create',
          ...actor,
          location,
          create_info: { write_context: writeContext },
          open_info: null,
          read_info: null,
        }, { requestId: req.logical.id });
        return {
          data: {
            capsule_id: capsuleId,
            capsule: capsule.toString('base64'),
            domain: engine.domain,
            key_version: key.version,
            records: input.source.records,
          },
        };
      },
    },
  };
}
