/** Sections of the OSBAPI spec and profile the checks cite, with their published anchors. */
import type { Citation, Level } from './model.js';

const SPEC_SECTIONS = {
  'api-version-header': 'API Version Header',
  'originating-identity': 'Originating Identity',
  'request-identity': 'Request Identity',
  'vendor-extension-fields': 'Vendor Extension Fields',
  'platform-to-service-broker-authentication': 'Platform to Service Broker Authentication',
  'url-properties': 'URL Properties',
  'service-broker-errors': 'Service Broker Errors',
  'error-codes': 'Error Codes',
  'content-type': 'Content Type',
  'catalog-management': 'Catalog Management',
  'service-offering-object': 'Service Offering Object',
  'service-plan-object': 'Service Plan Object',
  'input-parameters-schema-object': 'Input Parameters Schema Object',
  'maintenance-info-object': 'Maintenance Info Object',
  'synchronous-and-asynchronous-operations': 'Synchronous and Asynchronous Operations',
  'synchronous-operations': 'Synchronous Operations',
  'asynchronous-operations': 'Asynchronous Operations',
  'blocking-operations': 'Blocking Operations',
  'polling-last-operation-for-service-instances': 'Polling Last Operation for Service Instances',
  'polling-last-operation-for-service-bindings': 'Polling Last Operation for Service Bindings',
  'polling-interval-and-duration': 'Polling Interval and Duration',
  provisioning: 'Provisioning',
  'fetching-a-service-instance': 'Fetching a Service Instance',
  'updating-a-service-instance': 'Updating a Service Instance',
  'service-instance-metadata': 'Service Instance Metadata',
  binding: 'Binding',
  'binding-rotation': 'Binding Rotation',
  'types-of-binding': 'Types of Binding',
  'binding-metadata-object': 'Binding Metadata Object',
  'volume-mount-object': 'Volume Mount Object',
  'endpoint-object': 'Endpoint Object',
  'fetching-a-service-binding': 'Fetching a Service Binding',
  unbinding: 'Unbinding',
  deprovisioning: 'Deprovisioning',
  'orphan-mitigation': 'Orphan Mitigation',
} as const;

const PROFILE_SECTIONS = {
  'cloud-foundry-originating-identity-header': 'Cloud Foundry Originating Identity Header',
  'cloud-foundry-context-object': 'Cloud Foundry Context Object',
  'cloud-foundry-bind-resource-object': 'Cloud Foundry Bind Resource Object',
  'cloud-foundry-catalog-extensions': 'Cloud Foundry Catalog Extensions',
} as const;

export type SpecSection = keyof typeof SPEC_SECTIONS;
export type ProfileSection = keyof typeof PROFILE_SECTIONS;

/** A requirement of the spec (osbapi/spec.md). */
export function spec(anchor: SpecSection, level: Level, requirement: string): Citation {
  return { document: 'spec', section: SPEC_SECTIONS[anchor], anchor: `#${anchor}`, level, requirement };
}

/** A requirement of the platform profile (osbapi/profile.md). */
export function profile(anchor: ProfileSection, level: Level, requirement: string): Citation {
  return { document: 'profile', section: PROFILE_SECTIONS[anchor], anchor: `#${anchor}`, level, requirement };
}

/** A Cloud Foundry (Cloud Controller) rule that the spec does not make: a broker breaking it works elsewhere but not on CF. */
export function cf(section: string, requirement: string): Citation {
  return { document: 'cf', section, anchor: '', level: 'CF', requirement };
}

const DOC_FILES = { spec: 'spec.md', profile: 'profile.md', cf: '' } as const;

/** `spec.md#provisioning (MUST)`: how a citation prints. */
export function formatCitation(c: Citation): string {
  if (c.document === 'cf') return `Cloud Foundry: ${c.section}`;
  return `${DOC_FILES[c.document]} ${c.section} (${c.anchor}), ${c.level}`;
}

/** The published document a citation points at, for links in reports. */
export function citationUrl(c: Citation, version: string): string | undefined {
  if (c.document === 'cf') return undefined;
  return `https://github.com/openservicebrokerapi/servicebroker/blob/v${version}/${DOC_FILES[c.document]}${c.anchor}`;
}
