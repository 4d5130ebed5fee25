import type { FormEvent } from 'react';
import { FILTER_KEYS, MAX_FILTER_LENGTH, queryFromFilters, type FilterKey, type Filters } from '../lib/filters';
import { JOURNAL_KINDS } from '../lib/kinds';
import { navigate } from '../navigation';

export const FILTER_LABELS: Record<FilterKey, string> = {
  entity_id: 'Entity', accessor: 'Accessor', correlation_id: 'Correlation id', request_id: 'Request id',
  key_arn: 'KMS key ARN', capsule: 'Capsule', kind: 'Kind', outcome: 'Outcome', since: 'Since (RFC 3339)', until: 'Until (RFC 3339)',
};

/** The timeline's filters; applying them changes the URL (a new history entry), which reloads. */
export function FilterBar({ filters }: { filters: Filters }) {
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next: Filters = {};
    for (const key of FILTER_KEYS) {
      const value = form.get(key);
      if (typeof value === 'string' && value.trim() !== '') next[key] = value.trim();
    }
    navigate(`/ui/${queryFromFilters(next)}`);
  };
  // Keyed by the query, so back/forward puts the URL's values back in the fields.
  return (
    <form className="filters" onSubmit={submit} key={queryFromFilters(filters)} aria-label="Filters">
      {FILTER_KEYS.map((key) => (
        <label key={key}>
          <span>{FILTER_LABELS[key]}</span>
          {key === 'kind' ? (
            <select name="kind" defaultValue={filters.kind ?? ''}>
              <option value="">any</option>
              {JOURNAL_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          ) : key === 'outcome' ? (
            <select name="outcome" defaultValue={filters.outcome ?? ''}>
              <option value="">any</option>
              <option value="success">success</option>
              <option value="failure">failure</option>
            </select>
          ) : (
            <input name={key} defaultValue={filters[key] ?? ''} maxLength={MAX_FILTER_LENGTH} spellCheck={false} autoComplete="off" />
          )}
        </label>
      ))}
      <div className="filter-actions">
        <button type="submit">Search</button>
        <button type="button" onClick={() => navigate('/ui/')}>Clear</button>
      </div>
    </form>
  );
}
