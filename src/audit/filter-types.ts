/** The parsed form of an audit filter and the entry fields it can read. */
export const FILTER_FIELDS = ['mount_point', 'mount_type', 'namespace', 'operation', 'path'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterSubject = Readonly<Record<FilterField, string>>;

export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; expr: FilterNode }
  | { op: 'eq' | 'ne' | 'contains'; field: FilterField; value: string }
  | { op: 'empty'; field: FilterField }
  | { op: 'matches'; field: FilterField; re: RegExp }
  | { op: 'oneOf'; field: FilterField; values: string[] };
