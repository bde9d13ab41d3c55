import { describe, expect, it } from 'vitest';
import { loadClauses } from '../../model/protocol/clauses.js';
import type { Role } from '../report/run-report.js';
import {
  ClauseRoleError,
  clauseRoleOverrides,
  clauseRoles,
  clausesOfRole,
  requirementSubjects,
  rolesBySubject,
} from './clause-roles.js';

const clauses = loadClauses();
const byId = new Map(clauses.map((c) => [c.id, c]));

function rolesOf(id: string): readonly Role[] {
  const clause = byId.get(id);
  if (!clause) throw new Error(`docs/protocol.md has no clause ${id}`);
  return clauseRoles(clause);
}

describe('clause roles', () => {
  it('maps every clause of docs/protocol.md to at least one role', () => {
    expect(clauses.length).toBeGreaterThan(100);
    for (const c of clauses) expect(clauseRoles(c).length, c.id).toBeGreaterThan(0);
  });

  it.each<[string, Role[]]>([
    ['QR-1', ['server']],
    ['LINK-14', ['server']],
    ['TR-6', ['server']], // subject behind a parenthesised aside
    ['ERR-11', ['server']], // "..., it MUST": the pronoun stands for the server
    ['REG-9', ['server']], // "on any other auth it MUST": not the phone named earlier
    ['RELAY-10', ['server']],
    ['TR-2', ['web', 'phone']], // "A phone or web client"
    ['TR-10', ['web']],
    ['E2E-1', ['web']],
    ['E2E-6', ['web']], // "A web client that receives an offer it cannot accept MUST"
    ['E2E-4', ['web', 'phone']], // "The phone and the web client"
    ['E2E-19', ['web', 'phone']],
    ['CONS-1', ['phone']],
    ['E2E-2', ['phone']],
    ['RELAY-14', ['phone']],
    ['LATE-3', ['web', 'phone']],
    ['ENC-2', ['server', 'web', 'phone']], // "The server MUST ... and a client MUST"
    ['TR-4', ['server', 'web', 'phone']], // "Every peer"
    ['ERR-8', ['server', 'web', 'phone']],
    ['SEC-3', ['server']],
    ['SEC-4', ['server']], // "Deployments SHOULD set codeLength"
    ['SEC-6', ['web']],
    ['CTL-4', ['server']],
    ['DRV-1', ['web', 'phone']],
    ['DRV-12', ['phone']],
    ['DRV-7', ['web']],
    ['DRV-13', ['web', 'phone']],
  ])('%s binds %j', (id, roles) => {
    expect(rolesOf(id)).toEqual(roles);
  });

  it('pins the overrides: relay senders and receivers are the clients, TLS binds everyone', () => {
    expect(rolesOf('E2E-13')).toEqual(['web', 'phone']);
    expect(rolesOf('RELAY-18')).toEqual(['web', 'phone']);
    expect(rolesOf('RELAY-15')).toEqual(['web', 'phone']);
    expect(rolesOf('TR-9')).toEqual(['server', 'web', 'phone']);
    expect(rolesOf('SEC-1')).toEqual(['server', 'phone']);
  });

  it('every override names a clause of the spec and corrects what the heuristic alone would say', () => {
    for (const [id, { roles }] of Object.entries(clauseRoleOverrides)) {
      const clause = byId.get(id);
      expect(clause, id).toBeDefined();
      expect(rolesBySubject(clause?.text ?? ''), id).not.toEqual(roles);
    }
  });

  it('reads the subject before each keyword', () => {
    expect(requirementSubjects('On x, the server MUST do a, and MUST do b; a client SHOULD do c.')).toEqual([
      'the server',
      'a client',
    ]);
    expect(rolesBySubject('When the phone connection closes, the server MUST tell the phone.')).toEqual(['server']);
  });

  it('refuses a clause whose subject it cannot tell, naming it', () => {
    expect(() => clauseRoles({ id: 'X-1', area: 'X', text: 'Counters MUST grow.' })).toThrow(ClauseRoleError);
    expect(() => clauseRoles({ id: 'X-1', area: 'X', text: 'Counters MUST grow.' })).toThrow(/X-1/);
  });

  it('a server run counts the server clauses only, more than half of the spec', () => {
    const server = clausesOfRole(clauses, 'server').map((c) => c.id);
    expect(server).toContain('LINK-1');
    expect(server).toContain('CTL-3');
    expect(server).not.toContain('CONS-1');
    expect(server).not.toContain('DRV-4');
    expect(server.length).toBeGreaterThan(clauses.length / 2);
    expect(server.length).toBeLessThan(clauses.length);
  });
});
