export function newestInput(root: string, paths: string[]): number;
export function upToDate(stamp: string, root: string, paths: string[]): boolean;
export function writeStamp(stamp: string, started: number): void;
