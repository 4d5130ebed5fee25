/**
 * Parses a key policy document (AWS's JSON policy language) into statements. Anything malformed is
 * AWS's MalformedPolicyDocumentException, before the policy is stored.
 */
import { kmsError } from '../errors.js';
import { parseOperator } from './conditions.js';
import { isIpPattern } from './ip-address.js';
import type { ConditionClause, KeyPolicy, PolicyStatement } from './model.js';

/** AWS's key policy size limit. */
export const MAX_POLICY_BYTES = 32_768;

const malformed = (why: string) => kmsError('MalformedPolicyDocumentException', `The key policy is malformed: ${why}`);

function stringList(v: unknown, what: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  throw malformed(`${what} must be a string or a non-empty list of strings`);
}

/**
 * A statement's principals. As in IAM, a principal is `"*"` or a whole ARN (or account id): a
 * wildcard inside an ARN is refused, since principals are compared whole and a Deny written with
 * one would never apply.
 */
function principals(v: unknown, accountPattern: RegExp): string[] | '*' {
  if (v === '*') return '*';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('Principal must be "*" or an object such as {"AWS": "<arn>"}');
  const out: string[] = [];
  for (const [type, value] of Object.entries(v as Record<string, unknown>)) {
    const list = stringList(value, `Principal.${type}`);
    if (type !== 'AWS') continue; // Service/Federated principals never match a Sealtrail user
    for (const p of list) {
      if (p === '*') return '*';
      // A bare account id means that account's root, as in IAM.
      if (accountPattern.test(p)) out.push(`arn:aws:iam::${p}:root`);
      else if (/[*?]/.test(p)) throw malformed(`invalid principal "${p.slice(0, 100)}": a principal ARN cannot hold a wildcard (match callers with "*" and a condition on aws:PrincipalArn)`);
      else if (/^arn:aws:(iam|sts)::\d{12}:.+$/.test(p)) out.push(p);
      else throw malformed(`invalid principal "${p.slice(0, 100)}"`);
    }
  }
  return out;
}

/**
 * In a 2012-10-17 policy, `${...}` in a Resource or a condition value is a policy variable, which
 * IAM substitutes per request (`${aws:username}`). Sealtrail does not substitute them: compared as
 * text they would never match, so a Deny written with one would never apply. Such a policy is
 * refused when it is written instead.
 */
function noPolicyVariables(values: readonly string[], where: string): void {
  if (values.some((v) => v.includes('${'))) throw malformed(`policy variables such as \${aws:username} are not supported (${where})`);
}

function conditions(v: unknown, variables: boolean): ConditionClause[] {
  if (v === undefined) return [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('Condition must be an object');
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(v as Record<string, unknown>)) {
    if (!parseOperator(operator)) throw malformed(`unsupported condition operator "${operator.slice(0, 60)}"`);
    if (typeof block !== 'object' || block === null || Array.isArray(block)) throw malformed(`Condition.${operator} must be an object`);
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      const list = typeof values === 'boolean' ? [String(values)] : stringList(values, `Condition.${operator}.${key}`);
      if (variables) noPolicyVariables(list, `Condition.${operator}`);
      if (/IpAddress/.test(operator) && !list.every(isIpPattern)) throw malformed(`Condition.${operator} takes IP addresses or CIDR ranges`);
      out.push({ operator, key: key.toLowerCase(), values: list });
    }
  }
  return out;
}

/** The elements of AWS's policy grammar that Sealtrail evaluates. */
const POLICY_ELEMENTS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS: ReadonlySet<string> = new Set(['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/**
 * An element the grammar does not have (`Conditon`, `condition`) or one Sealtrail does not evaluate
 * (`NotPrincipal`) is refused, as IAM refuses it: ignored, a misspelt Condition would turn a
 * conditional Allow into an unconditional one.
 */
function onlyElements(obj: Record<string, unknown>, known: ReadonlySet<string>, where: string): void {
  for (const name of Object.keys(obj)) {
    if (known.has(name)) continue;
    if (name === 'NotPrincipal') throw malformed('NotPrincipal is not supported; use Principal "*" with a condition on aws:PrincipalArn');
    throw malformed(`${where} has an unknown element "${name.slice(0, 60)}"`);
  }
}

function statement(raw: unknown, variables: boolean): PolicyStatement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('each Statement must be an object');
  const s = raw as Record<string, unknown>;
  onlyElements(s, STATEMENT_ELEMENTS, 'a statement');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Effect must be "Allow" or "Deny"');
  if (s.Principal === undefined) throw malformed('a key policy statement must have a Principal');
  if ((s.Action === undefined) === (s.NotAction === undefined)) throw malformed('a statement needs exactly one of Action and NotAction');
  if ((s.Resource === undefined) === (s.NotResource === undefined)) throw malformed('a statement needs exactly one of Resource and NotResource');
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed('Sid must be a string');
  const resources = stringList(s.Resource ?? s.NotResource, 'Resource');
  if (variables) noPolicyVariables(resources, 'Resource');
  return {
    ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
    effect: s.Effect,
    principals: principals(s.Principal, /^\d{12}$/),
    actions: stringList(s.Action ?? s.NotAction, 'Action').map((a) => a.toLowerCase()),
    notAction: s.NotAction !== undefined,
    resources,
    notResource: s.NotResource !== undefined,
    conditions: conditions(s.Condition, variables),
  };
}

export function parseKeyPolicy(text: string): KeyPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw malformed(`the policy exceeds ${MAX_POLICY_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('the policy must be a JSON object');
  const d = doc as Record<string, unknown>;
  onlyElements(d, POLICY_ELEMENTS, 'the policy');
  if (d.Id !== undefined && typeof d.Id !== 'string') throw malformed('Id must be a string');
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') throw malformed('Version must be "2012-10-17"');
  const raw = Array.isArray(d.Statement) ? d.Statement : d.Statement !== undefined ? [d.Statement] : [];
  if (raw.length === 0) throw malformed('Statement must hold at least one statement');
  // Policy variables exist from version 2012-10-17 on; in 2008-10-17 (the default) `${` is text.
  const variables = d.Version === '2012-10-17';
  return { statements: raw.map((r) => statement(r, variables)) };
}
