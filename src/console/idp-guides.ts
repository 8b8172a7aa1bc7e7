// What an operator does in each identity provider's admin console, and which of the attributes
// the provider sends this service reads (src/scim/scim-users.mapper.ts: columns for userName,
// externalId, names, displayName, emails, active and the primary phone number; every other
// attribute, the enterprise extension included, is kept as sent and answered back).

export interface IdpMapping {
  source: string;
  target: string;
  note?: string;
}

export interface IdpGuide {
  steps: string[];
  mappings: IdpMapping[];
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const ENTRA_SETUP: IdpGuide = {
  steps: [
    'Microsoft Entra admin center → Identity → Applications → Enterprise applications → New application → Create your own application → "Integrate any other application you don\'t find in the gallery (Non-gallery)"',
    'The new application → Provisioning → Get started → Provisioning Mode: Automatic',
    'Admin Credentials → Tenant URL: the SCIM base URL above; Secret Token: a SCIM secret of this tenant → Test Connection → Save',
    'Mappings → Provision Microsoft Entra ID Users: check the attribute mappings below (remove ones you do not send)',
    'Mappings → Provision Microsoft Entra ID Groups: Enabled, to create departments from groups',
    'Users and groups → Add user/group: assign who is provisioned',
    'Provisioning → Start provisioning (Entra ID then syncs about every 40 minutes)',
  ],
  mappings: [
    { source: 'userPrincipalName', target: 'userName', note: 'Unique in the tenant, matched without regard to case.' },
    {
      source: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
      target: 'active',
      note: 'A disabled or removed user is deactivated, not deleted.',
    },
    { source: 'displayName', target: 'displayName' },
    { source: 'mail', target: 'emails[type eq "work"].value' },
    { source: 'givenName', target: 'name.givenName' },
    { source: 'surname', target: 'name.familyName' },
    { source: 'mailNickname', target: 'externalId', note: 'objectId is a steadier choice: it never changes.' },
    {
      source: 'telephoneNumber',
      target: 'phoneNumbers[type eq "work"].value',
      note: 'The primary number is kept as phoneNumber.',
    },
    { source: 'mobile', target: 'phoneNumbers[type eq "mobile"].value' },
    { source: 'employeeId', target: `${ENTERPRISE}:employeeNumber` },
    { source: 'department', target: `${ENTERPRISE}:department`, note: 'Kept as sent; departments come from groups.' },
    { source: 'manager', target: `${ENTERPRISE}:manager`, note: "Entra ID sends the manager's id in the tenant." },
    {
      source: 'Group: displayName / members',
      target: 'Group displayName / members',
      note: 'A group is a department; its members are its users.',
    },
  ],
};

export const OKTA_SETUP: IdpGuide = {
  steps: [
    'Okta Admin Console → Applications → Applications → Create App Integration → SAML 2.0 (or SWA) → finish the wizard',
    'The application → General → App Settings → Edit → Provisioning: SCIM → Save',
    'Provisioning → Integration → Edit → SCIM connector base URL: the SCIM base URL above; Unique identifier field for users: userName',
    'Supported provisioning actions: Import New Users and Profile Updates, Push New Users, Push Profile Updates, Push Groups',
    'Authentication Mode: HTTP Header → Authorization: Bearer with a SCIM secret of this tenant → Test Connector Configuration → Save',
    'Provisioning → To App → Edit: enable Create Users, Update User Attributes and Deactivate Users → Save',
    'Assignments → Assign to People or Groups; Push Groups → push the groups that are departments',
  ],
  mappings: [
    { source: 'Username (login)', target: 'userName', note: 'Unique in the tenant, matched without regard to case.' },
    { source: 'User status', target: 'active', note: 'Deactivate Users sends active: false.' },
    { source: 'firstName', target: 'name.givenName' },
    { source: 'lastName', target: 'name.familyName' },
    { source: 'displayName', target: 'displayName', note: 'Okta sends "firstName lastName" when none is set.' },
    { source: 'email', target: 'emails[type eq "work"].value' },
    { source: 'Okta user id', target: 'externalId', note: 'Map it in Profile Editor to keep a steady key.' },
    {
      source: 'primaryPhone',
      target: 'phoneNumbers[type eq "work"].value',
      note: 'The primary number is kept as phoneNumber.',
    },
    { source: 'employeeNumber', target: `${ENTERPRISE}:employeeNumber` },
    {
      source: 'department',
      target: `${ENTERPRISE}:department`,
      note: 'Kept as sent; departments come from pushed groups.',
    },
    { source: 'managerId', target: `${ENTERPRISE}:manager.value` },
    {
      source: 'Push Groups: group name / members',
      target: 'Group displayName / members',
      note: 'A group is a department; its members are its users.',
    },
  ],
};
