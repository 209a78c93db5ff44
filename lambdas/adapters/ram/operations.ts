// The RAM operations this endpoint answers, in AWS RAM's REST-JSON model (2018-01-04): each
// operation's HTTP method and path (`http.requestUri`) and its input members with their kind,
// where they travel (JSON body or query string) and whether they are required.

export type MemberKind = 'string' | 'boolean' | 'integer' | 'strings' | 'tags' | 'tagFilters';

export interface Member {
  kind: MemberKind;
  required?: boolean;
  /** Carried in the query string (DELETE operations) instead of the JSON body. */
  query?: boolean;
}

export interface Operation {
  method: 'POST' | 'DELETE';
  path: string;
  members: Record<string, Member>;
}

const s: Member = { kind: 'string' };
const required: Member = { kind: 'string', required: true };
const b: Member = { kind: 'boolean' };
const i: Member = { kind: 'integer' };
const list: Member = { kind: 'strings' };
const paged = { nextToken: s, maxResults: i };

export const RAM_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateResourceShare: {
    method: 'POST',
    path: '/createresourceshare',
    members: {
      name: required,
      resourceArns: list,
      principals: list,
      tags: { kind: 'tags' },
      allowExternalPrincipals: b,
      clientToken: s,
      permissionArns: list,
      sources: list,
    },
  },
  GetResourceShares: {
    method: 'POST',
    path: '/getresourceshares',
    members: {
      resourceShareArns: list,
      resourceShareStatus: s,
      resourceOwner: required,
      name: s,
      tagFilters: { kind: 'tagFilters' },
      permissionArn: s,
      permissionVersion: i,
      ...paged,
    },
  },
  UpdateResourceShare: {
    method: 'POST',
    path: '/updateresourceshare',
    members: { resourceShareArn: required, name: s, allowExternalPrincipals: b, clientToken: s },
  },
  DeleteResourceShare: {
    method: 'DELETE',
    path: '/deleteresourceshare',
    members: { resourceShareArn: { kind: 'string', required: true, query: true }, clientToken: { kind: 'string', query: true } },
  },
  AssociateResourceShare: {
    method: 'POST',
    path: '/associateresourceshare',
    members: { resourceShareArn: required, resourceArns: list, principals: list, clientToken: s, sources: list },
  },
  DisassociateResourceShare: {
    method: 'POST',
    path: '/disassociateresourceshare',
    members: { resourceShareArn: required, resourceArns: list, principals: list, clientToken: s, sources: list },
  },
  GetResourceShareAssociations: {
    method: 'POST',
    path: '/getresourceshareassociations',
    members: { associationType: required, resourceShareArns: list, resourceArn: s, principal: s, associationStatus: s, ...paged },
  },
  ListResources: {
    method: 'POST',
    path: '/listresources',
    members: {
      resourceOwner: required,
      principal: s,
      resourceType: s,
      resourceArns: list,
      resourceShareArns: list,
      resourceRegionScope: s,
      ...paged,
    },
  },
  ListPrincipals: {
    method: 'POST',
    path: '/listprincipals',
    members: { resourceOwner: required, resourceArn: s, principals: list, resourceType: s, resourceShareArns: list, ...paged },
  },
  ListPermissions: { method: 'POST', path: '/listpermissions', members: { resourceType: s, permissionType: s, ...paged } },
  GetPermission: { method: 'POST', path: '/getpermission', members: { permissionArn: required, permissionVersion: i } },
  ListResourceSharePermissions: {
    method: 'POST',
    path: '/listresourcesharepermissions',
    members: { resourceShareArn: required, ...paged },
  },
  AssociateResourceSharePermission: {
    method: 'POST',
    path: '/associateresourcesharepermission',
    members: { resourceShareArn: required, permissionArn: required, replace: b, clientToken: s, permissionVersion: i },
  },
  EnableSharingWithAwsOrganization: { method: 'POST', path: '/enablesharingwithawsorganization', members: {} },
  TagResource: {
    method: 'POST',
    path: '/tagresource',
    members: { resourceShareArn: s, resourceArn: s, tags: { kind: 'tags', required: true } },
  },
  UntagResource: {
    method: 'POST',
    path: '/untagresource',
    members: { resourceShareArn: s, resourceArn: s, tagKeys: { kind: 'strings', required: true } },
  },
  GetResourceShareInvitations: {
    method: 'POST',
    path: '/getresourceshareinvitations',
    members: { resourceShareInvitationArns: list, resourceShareArns: list, ...paged },
  },
  AcceptResourceShareInvitation: {
    method: 'POST',
    path: '/acceptresourceshareinvitation',
    members: { resourceShareInvitationArn: required, clientToken: s },
  },
  RejectResourceShareInvitation: {
    method: 'POST',
    path: '/rejectresourceshareinvitation',
    members: { resourceShareInvitationArn: required, clientToken: s },
  },
};

/** The operation a request's method and path name, if any. */
export function operationFor(method: string, path: string): string | undefined {
  const normalised = path.toLowerCase().replace(/\/+$/, '');
  return Object.keys(RAM_OPERATIONS).find((name) => {
    const operation = RAM_OPERATIONS[name]!;
    return operation.method === method.toUpperCase() && operation.path === normalised;
  });
}
