import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** Rows drawn beyond the visible ones on each side, so a fast scroll shows no gap. */
const OVERSCAN = 10;

interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly selected: number;
  readonly onSelect: (index: number) => void;
  readonly onOpen: (index: number) => void;
  readonly renderRow: (item: T, index: number, selected: boolean) => ReactNode;
  readonly label: string;
}

/**
 * A list that renders only the rows in view (10,000 records scroll as smoothly as 10): one tall
 * spacer sized to every row, and the visible window translated into place. Keyboard: arrows,
 * Page Up/Down, Home/End move the selection, Enter opens it.
 */
export function VirtualList<T>({ items, rowHeight, selected, onSelect, onOpen, renderRow, label }: VirtualListProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Keep the selected row in view as the keyboard moves it.
  useEffect(() => {
    const el = box.current;
    if (!el || selected < 0) return;
    const top = selected * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [selected, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const page = Math.max(1, Math.floor(height / rowHeight) - 1);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key === 'Enter' && selected >= 0) {
      e.preventDefault();
      onOpen(selected);
    } else if (e.key in moves && items.length > 0) {
      e.preventDefault();
      onSelect(Math.min(items.length - 1, Math.max(0, (selected < 0 ? -1 : selected) + moves[e.key])));
    }
  };

  return (
    <div
      ref={box}
      className="vlist"
      role="listbox"
      aria-label={label}
      aria-activedescendant={selected >= 0 ? `row-${selected}` : undefined}
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-count={items.length}
    >
      <div className="vlist-spacer" style={{ height: items.length * rowHeight }}>
        <div className="vlist-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {items.slice(first, last).map((item, k) => renderRow(item, first + k, first + k === selected))}
        </div>
      </div>
    </div>
  );
}
