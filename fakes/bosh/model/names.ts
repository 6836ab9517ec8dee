/** BOSH's canonical form of a name (DNS labels, name clashes): lower case, `_` to `-`, other characters dropped. */
export const canonical = (s: string) => s.toLowerCase().replace(/_/g, '-').replace(/[^a-z0-9-]/g, '');
