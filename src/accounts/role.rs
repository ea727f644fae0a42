use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do at a fair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Plans fairs, approves firms, sees all figures, invites staff.
    Organiser,
    /// A member of an exhibiting firm.
    Exhibitor,
    /// A buyer or trade visitor.
    Visitor,
    /// Door staff: scanning badges and nothing else.
    Staff,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Organiser, Role::Exhibitor, Role::Visitor, Role::Staff];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Exhibitor => "exhibitor",
            Role::Visitor => "visitor",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Roles anyone may take by signing up. Organisers are created on the
    /// command line; staff are invited by organisers.
    pub const fn is_self_service(self) -> bool {
        matches!(self, Role::Visitor | Role::Exhibitor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse(" Organiser "), Some(Role::Organiser));
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Visitor.is_self_service());
        assert!(!Role::Organiser.is_self_service());
        assert!(!Role::Staff.is_self_service());
    }
}
