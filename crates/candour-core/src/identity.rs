//! Who may do what. Roles are granted per organisation (or nationally); privileged operations take a
//! [`Can`] capability that only [`Principal::can`] hands out, so calling one without the right role does
//! not compile, and each capability knows which organisations it covers.

use crate::ods::OdsCode;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// A role a person or machine client holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Submits and follows their own reports.
    Reporter,
    /// Handles reports for an organisation.
    Handler,
    /// Clinical Safety Officer.
    ClinicalSafetyOfficer,
    /// Cyber security analyst.
    CyberAnalyst,
    /// Administrator.
    Admin,
    /// Read-only auditor.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Reporter,
        Role::Handler,
        Role::ClinicalSafetyOfficer,
        Role::CyberAnalyst,
        Role::Admin,
        Role::Auditor,
    ];
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reporter => "reporter",
            Role::Handler => "handler",
            Role::ClinicalSafetyOfficer => "clinical_safety_officer",
            Role::CyberAnalyst => "cyber_analyst",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Reporter => "Reporter",
            Role::Handler => "Handler",
            Role::ClinicalSafetyOfficer => "Clinical Safety Officer",
            Role::CyberAnalyst => "Cyber analyst",
            Role::Admin => "Administrator",
            Role::Auditor => "Auditor",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role '{s}' (one of: reporter, handler, clinical_safety_officer, cyber_analyst, admin, auditor)"))
    }
}

/// A role held for one organisation, or for all (`org: None`, e.g. a national team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The organisation it applies to; none means every organisation.
    pub org: Option<OdsCode>,
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody signed in (public report intake).
    Anonymous,
    /// A signed-in person or an API token.
    Known {
        /// Stable id (user or token id).
        id: String,
        /// Display name, recorded on acknowledgements and in the audit log.
        name: String,
        /// Roles held.
        grants: Vec<Grant>,
    },
}

/// An operation that needs one of a set of roles.
pub trait Permission {
    /// Roles that confer it.
    const ROLES: &'static [Role];
    /// Name for error messages.
    const NAME: &'static str;
}

macro_rules! permission {
    ($(#[$m:meta])* $name:ident, $label:literal, [$($role:ident),*]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Permission for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),*];
            const NAME: &'static str = $label;
        }
    };
}

permission!(/// Read reports (non-confidential fields).
    ViewReports, "view reports", [Handler, ClinicalSafetyOfficer, CyberAnalyst, Admin, Auditor]);
permission!(/// Move reports through the lifecycle.
    TransitionReports, "change report status", [Handler, ClinicalSafetyOfficer, CyberAnalyst, Admin]);
permission!(/// See a confidential reporter's identity.
    ViewConfidentialIdentity, "see confidential reporter identity", [ClinicalSafetyOfficer, Admin]);
permission!(/// Read originals kept before redaction (organisation policy), each read audited.
    ReadOriginals, "read originals kept before redaction", [ClinicalSafetyOfficer, Admin]);
permission!(/// Read safety projects and hazard logs.
    ViewHazards, "view hazard logs", [Handler, ClinicalSafetyOfficer, CyberAnalyst, Admin, Auditor]);
permission!(/// Create safety projects and record or change hazards.
    ManageHazards, "manage hazard logs", [ClinicalSafetyOfficer, Admin]);
permission!(/// Approve (sign off) a CRMP, hazard log version or safety case report: the CSO alone (DCB0129 §3).
    SignOffSafety, "sign off safety documents", [ClinicalSafetyOfficer]);
permission!(/// Read the audit log.
    ViewAudit, "read the audit log", [Auditor, Admin, ClinicalSafetyOfficer]);
permission!(/// Manage users and roles.
    ManageUsers, "manage users", [Admin]);
permission!(/// See the delivery outbox and its dead letters.
    AdministerDelivery, "see the delivery outbox", [Admin]);
permission!(/// Manage organisations' reporting policy.
    ManageOrganisations, "manage organisations", [Admin]);
permission!(/// Edit the routing directory, rules and obligations in force.
    ManageRouting, "edit the routing tables", [Admin]);

/// Which organisations a capability covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgScope {
    /// Every organisation.
    All,
    /// Only these.
    Only(Vec<OdsCode>),
}

/// Proof that a principal holds permission `P` for the organisations in `scope`.
///
/// Only [`Principal::can`] makes one; functions that do privileged work take `&Can<P>`.
#[derive(Debug, Clone)]
pub struct Can<P: Permission> {
    actor: String,
    actor_name: String,
    scope: OrgScope,
    _p: PhantomData<P>,
}

impl<P: Permission> Can<P> {
    /// Does it cover this organisation?
    pub fn covers(&self, org: &OdsCode) -> bool {
        match &self.scope {
            OrgScope::All => true,
            OrgScope::Only(v) => v.contains(org),
        }
    }
    /// The organisations covered.
    pub fn scope(&self) -> &OrgScope {
        &self.scope
    }
    /// Actor label for the audit log.
    pub fn actor(&self) -> &str {
        &self.actor
    }
    /// The person's display name.
    pub fn actor_name(&self) -> &str {
        &self.actor_name
    }
}

impl Principal {
    /// Audit label: `user:<id> <name>` or `anonymous`.
    pub fn actor(&self) -> String {
        match self {
            Principal::Anonymous => "anonymous".into(),
            Principal::Known { id, name, .. } => format!("user:{id} {name}"),
        }
    }

    /// The capability for `P` over every organisation where a granting role is held, if any.
    pub fn can<P: Permission>(&self) -> Option<Can<P>> {
        let Principal::Known { grants, name, .. } = self else {
            return None;
        };
        let mut orgs = Vec::new();
        for g in grants.iter().filter(|g| P::ROLES.contains(&g.role)) {
            match &g.org {
                None => {
                    return Some(Can {
                        actor: self.actor(),
                        actor_name: name.clone(),
                        scope: OrgScope::All,
                        _p: PhantomData,
                    })
                }
                Some(o) if !orgs.contains(o) => orgs.push(o.clone()),
                Some(_) => {}
            }
        }
        (!orgs.is_empty()).then(|| Can {
            actor: self.actor(),
            actor_name: name.clone(),
            scope: OrgScope::Only(orgs),
            _p: PhantomData,
        })
    }

    /// The capability for `P` if it covers `org`.
    pub fn can_for<P: Permission>(&self, org: &OdsCode) -> Option<Can<P>> {
        self.can::<P>().filter(|c| c.covers(org))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ods(s: &str) -> OdsCode {
        OdsCode::parse(s).unwrap()
    }

    fn user(grants: Vec<Grant>) -> Principal {
        Principal::Known {
            id: "u1".into(),
            name: "Sam Okafor".into(),
            grants,
        }
    }

    #[test]
    fn handler_is_scoped_to_their_organisation() {
        let p = user(vec![Grant {
            role: Role::Handler,
            org: Some(ods("RX1")),
        }]);
        let c = p.can::<ViewReports>().unwrap();
        assert!(c.covers(&ods("RX1")));
        assert!(!c.covers(&ods("RYJ")));
        assert!(p.can::<ViewConfidentialIdentity>().is_none());
        assert!(p.can::<ManageUsers>().is_none());
        assert!(p.can_for::<TransitionReports>(&ods("RYJ")).is_none());
    }

    #[test]
    fn national_grant_covers_everything_and_anonymous_nothing() {
        let p = user(vec![Grant {
            role: Role::Admin,
            org: None,
        }]);
        assert_eq!(p.can::<ViewConfidentialIdentity>().unwrap().scope(), &OrgScope::All);
        assert!(Principal::Anonymous.can::<ViewReports>().is_none());
    }

    #[test]
    fn confidential_identity_is_for_cso_and_admin_only() {
        for role in Role::ALL {
            let p = user(vec![Grant {
                role,
                org: Some(ods("RX1")),
            }]);
            let want = matches!(role, Role::ClinicalSafetyOfficer | Role::Admin);
            assert_eq!(
                p.can_for::<ViewConfidentialIdentity>(&ods("RX1")).is_some(),
                want,
                "{role:?}"
            );
        }
    }
}
