export function bundleUp(
  esbuild: typeof import('esbuild'),
  opts: { root: string; outfile: string; ownFile: (source: string) => string },
): Promise<void>;
