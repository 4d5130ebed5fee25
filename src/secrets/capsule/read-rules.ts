/** Matching read rules against a unit's tags and the read parameters: first match wins. */
import type { ReadRule, TagCondition } from './read-context.js';
import type { Tag } from './tags.js';
import { getOwn } from '../../lib/safe-object.js';
import { contextPattern } from './patterns.js';

// Conditions live as long as their read context; compile each regex once, not once per span.
const compiled = new WeakMap<TagCondition, RegExp>();
function regexOf(c: TagCondition): RegExp {
  let re = compiled.get(c);
  if (!re) compiled.set(c, (re = contextPattern(`the regex condition on ${c.name}`, c.value as string)));
  return re;
}

function nameMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function conditionHolds(c: TagCondition, tags: readonly Tag[]): boolean {
  return tags.some((t) => {
    if (!nameMatches(c.name, t.name)) return false;
    switch (c.op) {
      case 'exists': return true;
      case 'eq': return t.value === c.value;
      case 'neq': return t.value !== c.value;
      case 'in': return (c.value as string[]).includes(t.value);
      case 'regex': return regexOf(c).test(t.value);
    }
  });
}

/** Every tag condition holds for some tag and every named parameter has the given value. */
export function ruleMatches(rule: ReadRule, tags: readonly Tag[], parameters: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(rule.match.parameters)) if (getOwn(parameters, k) !== v) return false;
  return rule.match.tags.every((c) => conditionHolds(c, tags));
}

/** The first rule (rules are kept sorted by priority) that matches; undefined means Allow. */
export function decide(rules: readonly ReadRule[], tags: readonly Tag[], parameters: Readonly<Record<string, string>>): ReadRule | undefined {
  return rules.find((r) => ruleMatches(r, tags, parameters));
}
