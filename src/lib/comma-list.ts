/**
 * Comma-separated request fields (`policies`, `versions`, a parameter's elements), as Vault's
 * comma-string-slice reads them. The request bounds its JSON entries, but one string is one
 * entry: 30 MiB of `1,1,1,…` split whole is fifteen million strings, ~1 GB and seconds of one
 * request. At most MAX_LIST_ITEMS parts are made; a longer list is refused by the caller.
 */

/** Items a comma-separated field may hold: far above any real policy list or version list. */
export const MAX_LIST_ITEMS = 1000;

/** The comma-separated parts of `text`, or undefined when it has more than `max`. */
export function commaParts(text: string, max = MAX_LIST_ITEMS): string[] | undefined {
  const parts = text.split(',', max + 1);
  return parts.length > max ? undefined : parts;
}
