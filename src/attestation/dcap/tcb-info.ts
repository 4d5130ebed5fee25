/**
 * Intel TCB info v3 (SGX and TDX): the FMSPC's TCB levels, best first, each with the minimum SVNs
 * it requires and the status and advisories of a platform at that level; for TDX also the TDX
 * module (TCB info `tdxModule`) and the module identities by major version.
 */
import type { TcbStatus } from '../types.js';
import { advisories, array, hexField, object, status, string, uint, type Json } from './json-fields.js';

export interface TcbLevel {
  sgxComponents: number[];
  pcesvn: number;
  /** TDX only. */
  tdxComponents?: number[];
  status: TcbStatus;
  advisoryIds: string[];
}

export interface ModuleLevel {
  isvsvn: number;
  status: TcbStatus;
  advisoryIds: string[];
}

export interface TdxModuleIdentity {
  id: string;
  mrsigner: Buffer;
  attributes: Buffer;
  attributesMask: Buffer;
  levels: ModuleLevel[];
}

export interface TcbInfo {
  id: 'SGX' | 'TDX';
  fmspc: string;
  pceId: string;
  levels: TcbLevel[];
  tdxModule?: Omit<TdxModuleIdentity, 'id' | 'levels'>;
  tdxModuleIdentities: TdxModuleIdentity[];
}

function components(value: unknown, what: string): number[] {
  const list = array(value, what);
  if (list.length !== 16) throw new Error(`${what} does not have 16 components`);
  return list.map((c) => uint(object(c, what).svn, `${what} svn`));
}

function level(value: unknown, tdx: boolean): TcbLevel {
  const l = object(value, 'tcbLevel');
  const tcb = object(l.tcb, 'tcbLevel.tcb');
  return {
    sgxComponents: components(tcb.sgxtcbcomponents, 'sgxtcbcomponents'),
    pcesvn: uint(tcb.pcesvn, 'pcesvn'),
    tdxComponents: tdx ? components(tcb.tdxtcbcomponents, 'tdxtcbcomponents') : undefined,
    status: status(l.tcbStatus, 'tcbStatus'),
    advisoryIds: advisories(l.advisoryIDs, 'advisoryIDs'),
  };
}

function moduleSigner(m: Json, what: string): Omit<TdxModuleIdentity, 'id' | 'levels'> {
  return {
    mrsigner: hexField(m.mrsigner, `${what}.mrsigner`, 48),
    attributes: hexField(m.attributes, `${what}.attributes`, 8),
    attributesMask: hexField(m.attributesMask, `${what}.attributesMask`, 8),
  };
}

function moduleIdentity(value: unknown): TdxModuleIdentity {
  const m = object(value, 'tdxModuleIdentity');
  const levels = array(m.tcbLevels, 'tdxModuleIdentity.tcbLevels').map((v) => {
    const l = object(v, 'module tcbLevel');
    return {
      isvsvn: uint(object(l.tcb, 'module tcbLevel.tcb').isvsvn, 'isvsvn'),
      status: status(l.tcbStatus, 'tcbStatus'),
      advisoryIds: advisories(l.advisoryIDs, 'advisoryIDs'),
    };
  });
  return { id: string(m.id, 'tdxModuleIdentity.id'), ...moduleSigner(m, 'tdxModuleIdentity'), levels };
}

/** Throws on anything but a v3 TCB info of the expected kind. */
export function readTcbInfo(doc: Json, expected: 'SGX' | 'TDX'): TcbInfo {
  if (doc.id !== expected) throw new Error(`TCB info id is not "${expected}"`);
  if (doc.version !== 3) throw new Error('TCB info is not version 3');
  const tdx = expected === 'TDX';
  return {
    id: expected,
    fmspc: string(doc.fmspc, 'fmspc').toUpperCase(),
    pceId: string(doc.pceId, 'pceId').toUpperCase(),
    levels: array(doc.tcbLevels, 'tcbLevels').map((l) => level(l, tdx)),
    tdxModule: tdx ? moduleSigner(object(doc.tdxModule, 'tdxModule'), 'tdxModule') : undefined,
    tdxModuleIdentities: tdx && doc.tdxModuleIdentities !== undefined ? array(doc.tdxModuleIdentities, 'tdxModuleIdentities').map(moduleIdentity) : [],
  };
}
