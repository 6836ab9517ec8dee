export interface ChildResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  spawnError?: Error;
}

export function runChild(path: string, args: string[], stdin: string | undefined, opts: { env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal }): Promise<ChildResult>;
