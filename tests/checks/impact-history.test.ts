import { describe, expect, it } from 'vitest';
import { appliedRevisions, orderedDrops, parseVerboseHistory } from '../../src/checks/alembic-history.js';

/** What `alembic history --verbose` prints (alembic 1.8), with a branch and a merge. */
const HISTORY = `Rev: m3 (head) (mergepoint)
Merges: b2, c2
Path: /srv/app/migrations/versions/m3_merge.py

    merge heads

    Revision ID: m3
    Revises: b2, c2
    Create Date: 2026-03-02 09:00:00.000000

Rev: c2
Parent: a1
Path: /srv/app/migrations/versions/c2_add_audit.py

    Add audit | log (pipes and *stars*)

    Revision ID: c2
    Create Date: 2026-02-20 08:00:00.000000

Rev: b2
Parent: a1
Path: /srv/app/migrations/versions/b2_drop_col.py

    Drop the legacy column

Rev: a1 (branchpoint)
Parent: <base>
Branches into: b2, c2
Path: /srv/app/migrations/versions/a1_initial.py

    Initial Schema

    Create Date: 2026-01-15 10:00:00.000000
`;

describe('alembic history --verbose', () => {
  it('reads each revision: parents (a merge has two, the first none), head, message, date', () => {
    expect(parseVerboseHistory(HISTORY)).toEqual([
      { id: 'm3', parents: ['b2', 'c2'], head: true, message: 'merge heads', date: '2026-03-02' },
      {
        id: 'c2',
        parents: ['a1'],
        head: false,
        message: 'Add audit | log (pipes and *stars*)',
        date: '2026-02-20',
      },
      { id: 'b2', parents: ['a1'], head: false, message: 'Drop the legacy column' },
      { id: 'a1', parents: [], head: false, message: 'Initial Schema', date: '2026-01-15' },
    ]);
    expect(parseVerboseHistory('')).toEqual([]);
  });

  it('applied: the current revisions and everything below them, through every parent', () => {
    const entries = parseVerboseHistory(HISTORY);
    expect([...appliedRevisions(entries, ['b2'])].sort()).toEqual(['a1', 'b2']);
    expect([...appliedRevisions(entries, ['m3'])].sort()).toEqual(['a1', 'b2', 'c2', 'm3']);
    expect(appliedRevisions(entries, []).size).toBe(0);
  });
});

describe('orderedDrops: what an offline downgrade drops, in order', () => {
  it('groups consecutive drops of one kind and leaves alembic_version out', () => {
    const sql = `BEGIN;
-- Running downgrade 6fc3f28b87c8 ->
DROP INDEX idx_a;
DROP INDEX "IdxQuoted";
DROP TABLE public.sessions;
ALTER TABLE users DROP COLUMN legacy_name;
ALTER TABLE users DROP CONSTRAINT users_fk;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users RENAME COLUMN state_hash TO state;
DROP INDEX IF EXISTS idx_b;
DROP TABLE IF EXISTS Tokens;
DELETE FROM alembic_version WHERE alembic_version.version_num = '6fc3f28b87c8';
DROP TABLE alembic_version;
COMMIT;`;
    expect(orderedDrops(sql)).toEqual([
      { kind: 'index', names: ['idx_a', 'IdxQuoted'] },
      { kind: 'table', names: ['sessions'] },
      { kind: 'column', names: ['users.legacy_name'] },
      { kind: 'index', names: ['idx_b'] },
      { kind: 'table', names: ['tokens'] },
    ]);
    expect(orderedDrops('ALTER TABLE t RENAME COLUMN a TO b;')).toEqual([]);
  });
});
