import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { stringify } from 'yaml';

async function tgz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export interface JobDef {
  name: string;
  errand?: boolean;
  provides?: { name: string; type: string }[];
  properties?: Record<string, unknown>;
}

/** A release tarball laid out as `bosh create-release --tarball` makes it (blobs are tiny stand-ins). */
export async function releaseTgz(name: string, version: string, jobs: JobDef[]): Promise<Buffer> {
  const files: Record<string, string | Buffer> = {
    'release.MF': stringify({
      name,
      version,
      commit_hash: 'abc1234',
      uncommitted_changes: false,
      jobs: jobs.map((j) => ({ name: j.name, version: `${j.name}-v1`, fingerprint: `${j.name}-fp`, sha1: 'sha1:0000' })),
      packages: [{ name: 'redis', version: 'pkg-v1', fingerprint: 'pkg-fp', sha1: 'sha1:1111', dependencies: [] }],
      license: { version: 'l1', fingerprint: 'l1', sha1: 'sha1:2222' },
    }),
    'packages/redis.tgz': await tgz({ 'packaging': 'echo build\n', 'redis/redis-7.tar.gz': Buffer.alloc(4096, 7) }),
    'license.tgz': await tgz({ LICENSE: 'Apache-2.0\n' }),
  };
  for (const j of jobs) {
    const templates: Record<string, string> = { 'ctl.erb': 'bin/ctl' };
    if (j.errand) templates['run.erb'] = 'bin/run';
    files[`jobs/${j.name}.tgz`] = await tgz({
      'job.MF': stringify({ name: j.name, templates, packages: ['redis'], properties: j.properties ?? {}, provides: j.provides ?? [], consumes: [] }),
      monit: '',
      'templates/ctl.erb': '#!/bin/bash\n',
    });
  }
  return tgz(files);
}

export async function stemcellTgz(name: string, version: string, os: string): Promise<Buffer> {
  return tgz({
    'stemcell.MF': stringify({ name, version, operating_system: os, api_version: 3, bosh_protocol: '1', sha1: 'da39a3ee', stemcell_formats: ['warden-tar'], cloud_properties: {} }),
    image: Buffer.alloc(8192, 1),
    'packages.txt': 'openssl 3\n',
  });
}
