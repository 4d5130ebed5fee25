/**
 * V8 represents `a + b` as a rope: a tree of the two pieces, not a copy. Writing a rope out
 * (Buffer#write, socket.write) first copies it into one flat string, walking the whole tree. A
 * piece kept and embedded in many later strings (the cached text of a token's `auth` block, a
 * request block used by two entries) is walked again inside every one of them: about 10 ns per
 * piece on this project's machines, so the number of pieces, not of bytes, sets the cost.
 *
 * A regular-expression scan flattens its subject in place (the rope's node then points at one flat
 * string), so `flatten` makes every later use of `s` a plain copy. It does not change `s`'s value.
 * Call it on text that is kept, not on every temporary.
 */
const NUL = /\0/;

export function flatten(s: string): string {
  NUL.test(s);
  return s;
}
