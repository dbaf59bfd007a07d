/** A duration such as `14d`, `36h`, `90m` or `2w`, in milliseconds; a clear error otherwise. */
export function parseDuration(text: string, field = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(w|d|h|m)\s*$/i.exec(text);
  if (!match) throw new RangeError(`${field} "${text}" is not a duration: write a number and a unit, e.g. 14d, 36h, 2w or 90m`);
  const unit = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2]!.toLowerCase() as 'w' | 'd' | 'h' | 'm'];
  return Math.round(Number(match[1]) * unit);
}

/** Whole days from `from` to `to` (rounded down; 0 for less than a day). */
export function wholeDays(from: string | Date, to: Date): number {
  const start = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return Math.max(0, Math.floor((to.getTime() - start) / 86_400_000));
}
