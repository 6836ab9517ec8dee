/** Tags the catalogue uses, with what they mean (vitest's `--tags-filter` only takes declared tags). */
export const CATALOGUE_TAGS: Record<string, string> = {
  'area:lifecycle': 'provision, bind, unbind, deprovision',
  'area:update': 'updates, plan changes, parameters',
  'area:quotas': 'plan and global quotas',
  'area:errands': 'post-deploy and pre-delete lifecycle errands',
  'area:bosh-failures': 'BOSH tasks failing, stuck, director unreachable',
  'area:auth': 'UAA credentials and token expiry',
  'area:cc': 'Cloud Controller availability and records',
  'area:adapter': 'service adapter errors and exit codes',
  'area:restart': 'the broker restarted mid-operation',
  'area:orphans': 'orphan deployments and orphan mitigation',
  'area:upgrade': 'upgrade-all, recreate-all, maintenance_info',
  'area:registration': 'register-broker, deregister-broker, delete-all',
  'area:concurrency': 'concurrent operations on one instance',
  'area:startup': 'broker start-up checks',
  'osb:2.13': 'OSBAPI 2.13 behaviour',
  'osb:2.14': 'OSBAPI 2.14 behaviour',
  'osb:2.15': 'OSBAPI 2.15 behaviour (maintenance_info)',
  'osb:2.16': 'OSBAPI 2.16 behaviour',
  'osb:2.17': 'OSBAPI 2.17 behaviour',
};

/** Tag names in a vitest tags expression (operators and parentheses dropped). */
export function tagsInExpression(expr: string): string[] {
  return expr
    .split(/[\s()!&|]+/)
    .filter((t) => t && !/^(and|or|not)$/i.test(t));
}

/** The tag definitions for a run: the catalogue's, any ODB feature tag, and whatever the filter names. */
export function tagDefinitions(filters: string[] = [], seen: string[] = []): { name: string; description?: string }[] {
  const names = new Map<string, string | undefined>(Object.entries(CATALOGUE_TAGS));
  for (const t of [...seen, ...filters.flatMap(tagsInExpression)]) if (!names.has(t)) names.set(t, undefined);
  return [...names].map(([name, description]) => ({ name, description }));
}
