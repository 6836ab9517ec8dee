/** The few Ruby coercions the director applies to request values, so the fake reads them the same way. */

/** `String#to_i`: the leading integer (underscores between digits allowed), 0 when there is none. */
export function rubyToI(v: string): number {
  const m = /^\s*([+-]?\d+)/.exec(v.replace(/_(?=\d)/g, ''));
  return m ? Number(m[1]) : 0;
}

/** `x || false`: anything but nil and false is true. */
export const rubyTruthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false;
