/**
 * Vault's list semantics in SQL, in work proportional to the answer rather than to the number of
 * keys below the prefix: leaves of the folder are one range of the (parent_path, key) index, and
 * subfolders are found one index seek each (a "loose index scan"): take the first parent_path
 * below the prefix, name its first segment, then seek past everything in that subfolder
 * (`<prefix><segment>0`: "0" is the character after "/", so nothing sorts between).
 * Prefixes are compared as ranges and strings, never with LIKE, so `%` and `_` are plain characters.
 */

/** $1 = prefix, $2 = the prefix's successor (key-range.ts) when there is one. */
export function listSql(table: string, bounded: boolean): string {
  const upper = bounded ? ' AND parent_path < $2' : '';
  const firstSegment = `split_part(substr(parent_path, char_length($1) + 1), '/', 1)`;
  return `
    WITH RECURSIVE folders(segment) AS (
      SELECT (SELECT ${firstSegment} FROM ${table}
              WHERE parent_path > $1${upper} ORDER BY parent_path LIMIT 1)
      UNION ALL
      SELECT (SELECT ${firstSegment} FROM ${table}
              WHERE parent_path >= $1 || folders.segment || '0'${upper} ORDER BY parent_path LIMIT 1)
      FROM folders WHERE folders.segment IS NOT NULL
    )
    SELECT segment || '/' AS name FROM folders WHERE segment IS NOT NULL
    UNION ALL
    SELECT substr(key, char_length($1) + 1) AS name FROM ${table} WHERE parent_path = $1`;
}
