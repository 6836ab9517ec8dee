import type { BoshApp, Director } from '../director.js';

/** `GET /info`: no authentication; `user` only when the credentials are valid. */
export function infoRoutes(app: BoshApp, d: Director): void {
  app.get('/info', async (c) => {
    const p = await d.auth.authenticate(c.req.header('authorization'));
    const uaa = d.kernel.urls.uaa;
    return c.json({
      name: d.config.name,
      uuid: d.model.uuid,
      version: d.config.version,
      user: p?.name ?? null,
      cpi: d.config.cpi,
      stemcell_os: d.config.stemcell_os,
      stemcell_version: d.config.stemcell_version,
      user_authentication: d.auth.mode === 'uaa' ? { type: 'uaa', options: { url: uaa, urls: [uaa] } } : { type: 'basic', options: {} },
      features: {
        local_dns: { status: true, extras: { domain_name: 'bosh' } },
        snapshots: { status: false },
        config_server: { status: false, extras: { urls: [] } },
      },
    });
  });
}
