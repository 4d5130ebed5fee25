/** Matching read rules against a unit's tag sets and the read parameters: first match wins. */
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

/**
 * A read context's rules for one load: the first rule that matches a unit's scope decides it. A
 * scope is the tag sets around the unit (span, field, record, capsule), and a condition holds in
 * it when it holds in one of them, so each condition is tested once per set and remembered: the
 * capsule's set is in every scope and a record's in each of its fields', and joining the sets for
 * every decision made a load cost capsule tags × records (53 s for 20,000 of each).
 */
export class RuleMatcher {
  // Rules whose parameters differ from this load's can never match: dropped once.
  private readonly rules: readonly ReadRule[];
  private readonly holds = new Map<TagCondition, Map<number, boolean>>();

  constructor(rules: readonly ReadRule[], private readonly tagSets: ReadonlyArray<readonly Tag[]>, parameters: Readonly<Record<string, string>>) {
    this.rules = rules.filter((r) => Object.entries(r.match.parameters).every(([k, v]) => getOwn(parameters, k) === v));
  }

  /** The first rule (rules are kept sorted by priority) matching the scope of these tag sets; undefined means Allow. */
  decide(sets: readonly number[]): ReadRule | undefined {
    return this.rules.find((r) => r.match.tags.every((c) => sets.some((set) => this.holdsIn(c, set))));
  }

  private holdsIn(c: TagCondition, set: number): boolean {
    let bySet = this.holds.get(c);
    if (!bySet) this.holds.set(c, (bySet = new Map()));
    let holds = bySet.get(set);
    if (holds === undefined) bySet.set(set, (holds = conditionHolds(c, this.tagSets[set])));
    return holds;
  }
}
