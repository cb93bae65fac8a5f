//! Who may do what. Pure functions over the acting person and their membership; every use case
//! calls `require` before it reads or writes network data. The table is documented in
//! `docs/roles.md` and exercised route by route in the authorisation-matrix test.

use crate::{error::Error, ids::UserId};
use serde::{Deserialize, Serialize};

/// A person's role in one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Chair,
    Administrator,
    TrainingCoordinator,
    CommunicationsOfficer,
    /// An executive or HR stakeholder: reads the network, changes nothing.
    Sponsor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Member,
        Role::Chair,
        Role::Administrator,
        Role::TrainingCoordinator,
        Role::CommunicationsOfficer,
        Role::Sponsor,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Chair => "chair",
            Role::Administrator => "administrator",
            Role::TrainingCoordinator => "training_coordinator",
            Role::CommunicationsOfficer => "communications_officer",
            Role::Sponsor => "sponsor",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "Member",
            Role::Chair => "Chair",
            Role::Administrator => "Administrator",
            Role::TrainingCoordinator => "Training Coordinator",
            Role::CommunicationsOfficer => "Communications Officer",
            Role::Sponsor => "Sponsor",
        }
    }
    /// The steering-committee roles.
    pub fn is_organiser(self) -> bool {
        matches!(self, Role::Chair | Role::Administrator | Role::TrainingCoordinator | Role::CommunicationsOfficer)
    }
}

/// Who can find and join a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Listed; anyone in the organisation joins at once.
    Open,
    /// Listed; joining needs an organiser's approval.
    ByRequest,
    /// Not listed; only people invited can see or join it.
    InvitationOnly,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Open, Visibility::ByRequest, Visibility::InvitationOnly];
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Open => "open",
            Visibility::ByRequest => "by_request",
            Visibility::InvitationOnly => "invitation_only",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Visibility::Open => "Open to everyone",
            Visibility::ByRequest => "Join by request",
            Visibility::InvitationOnly => "Invitation only",
        }
    }
}

/// Where a person stands with a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    Active,
    /// Asked to join a by-request network; waits for an organiser.
    Requested,
    /// Invited by an organiser; waits for the person to accept.
    Invited,
}

impl MembershipStatus {
    pub const ALL: [Self; 3] = [Self::Active, Self::Requested, Self::Invited];

    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Requested => "requested",
            MembershipStatus::Invited => "invited",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The signed-in person acting, as far as policy needs to know.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub is_org_admin: bool,
}

/// Something one may do to or in a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// See that the network exists: name, description, organisers, member count.
    SeeNetwork,
    /// Read the member list and other members-only content.
    ReadMembers,
    /// Approve requests, invite, remove members, change roles.
    ManageMembers,
    /// Change the network's name, description and visibility.
    EditNetwork,
    /// Plan events and programmes (later issues build on this).
    Organise,
}

/// The actor's membership in the network in question, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipView {
    pub role: Role,
    pub status: MembershipStatus,
}

/// Decides whether `actor` may use `cap` in a network with `visibility` where their membership is
/// `membership`. Org admins may do everything; that is their job and the audit log records it.
pub fn allows(actor: &Actor, visibility: Visibility, membership: Option<MembershipView>, cap: Capability) -> bool {
    if actor.is_org_admin {
        return true;
    }
    let active_role = membership.filter(|m| m.status == MembershipStatus::Active).map(|m| m.role);
    match cap {
        Capability::SeeNetwork => visibility != Visibility::InvitationOnly || membership.is_some(),
        Capability::ReadMembers => active_role.is_some(),
        Capability::ManageMembers | Capability::EditNetwork => {
            matches!(active_role, Some(Role::Chair | Role::Administrator))
        }
        Capability::Organise => active_role.is_some_and(Role::is_organiser),
    }
}

/// `allows`, as a `Result` a use case can `?`. A network the actor may not even see is reported
/// as not found, so its existence does not leak.
pub fn require(
    actor: &Actor,
    visibility: Visibility,
    membership: Option<MembershipView>,
    cap: Capability,
) -> Result<(), Error> {
    if allows(actor, visibility, membership, cap) {
        Ok(())
    } else if !allows(actor, visibility, membership, Capability::SeeNetwork) {
        Err(Error::NotFound)
    } else {
        Err(Error::Forbidden(match cap {
            Capability::SeeNetwork | Capability::ReadMembers => "Only members of this network can see this.",
            Capability::ManageMembers | Capability::EditNetwork => {
                "Only the network's Chair or Administrator (or an organisation administrator) can do this."
            }
            Capability::Organise => "Only the network's organisers can do this.",
        }))
    }
}

/// Guards the Chair role, so a network always keeps someone who can approve and invite, and
/// nobody below a Chair can take it over:
///
/// 1. only an active Chair of the network, or an org admin, gives the Chair role (changing a
///    role to Chair, or inviting someone as Chair) or takes it away (changing a Chair's role,
///    removing a Chair);
/// 2. the last active Chair cannot be demoted, removed or leave, unless an org admin does it
///    (an org admin can always name a new Chair).
///
/// `actor_membership` is the actor's own membership, `before` and `after` the membership of the
/// person concerned (the actor themself when leaving; `after` is `None` when they leave or are
/// removed), and `other_chairs` how many active Chairs the network has besides the person
/// concerned (a deactivated Chair is not one: demoting or removing them takes no Chair away).
/// Call it after `require(…, ManageMembers)` (or, for leaving, with the actor as the person
/// concerned).
pub fn check_chair_change(
    actor: &Actor,
    actor_membership: Option<MembershipView>,
    before: Option<MembershipView>,
    after: Option<MembershipView>,
    other_chairs: usize,
) -> Result<(), Error> {
    let is_chair =
        |m: Option<MembershipView>| m.is_some_and(|m| m.role == Role::Chair && m.status == MembershipStatus::Active);
    let was_chair = is_chair(before);
    // An invitation as Chair gives the role as soon as it is accepted.
    let gets_chair = after.is_some_and(|m| m.role == Role::Chair) && !was_chair;
    let loses_chair = was_chair && !is_chair(after);
    if actor.is_org_admin || !(gets_chair || loses_chair) {
        return Ok(());
    }
    // A Chair leaving acts on themself as a Chair: rule 2 alone decides.
    if !is_chair(actor_membership) {
        return Err(Error::Forbidden(
            "Only a Chair of this network or an organisation administrator can give or take away the Chair role.",
        ));
    }
    if loses_chair && other_chairs == 0 {
        return Err(Error::Conflict(crate::error::FieldError::new(
            "role",
            "A network needs at least one Chair. Name another Chair first, or ask an organisation administrator.",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(admin: bool) -> Actor {
        Actor { user_id: UserId::new(), is_org_admin: admin }
    }
    fn active(role: Role) -> Option<MembershipView> {
        Some(MembershipView { role, status: MembershipStatus::Active })
    }

    #[test]
    fn an_invitation_only_network_is_invisible_to_outsiders() {
        assert!(!allows(&actor(false), Visibility::InvitationOnly, None, Capability::SeeNetwork));
        assert!(matches!(
            require(&actor(false), Visibility::InvitationOnly, None, Capability::ReadMembers),
            Err(Error::NotFound)
        ));
        let invited = Some(MembershipView { role: Role::Member, status: MembershipStatus::Invited });
        assert!(allows(&actor(false), Visibility::InvitationOnly, invited, Capability::SeeNetwork));
    }

    #[test]
    fn a_pending_request_does_not_open_the_member_list() {
        let requested = Some(MembershipView { role: Role::Member, status: MembershipStatus::Requested });
        assert!(!allows(&actor(false), Visibility::ByRequest, requested, Capability::ReadMembers));
    }

    #[test]
    fn only_chair_and_administrator_manage_members() {
        for role in Role::ALL {
            let ok = allows(&actor(false), Visibility::Open, active(role), Capability::ManageMembers);
            assert_eq!(ok, matches!(role, Role::Chair | Role::Administrator), "{role:?}");
        }
        assert!(allows(&actor(true), Visibility::InvitationOnly, None, Capability::ManageMembers));
    }

    #[test]
    fn a_sponsor_reads_but_does_not_organise() {
        assert!(allows(&actor(false), Visibility::Open, active(Role::Sponsor), Capability::ReadMembers));
        assert!(!allows(&actor(false), Visibility::Open, active(Role::Sponsor), Capability::Organise));
        assert!(allows(&actor(false), Visibility::Open, active(Role::TrainingCoordinator), Capability::Organise));
    }

    fn chair_rule(
        admin: bool,
        acting: Option<MembershipView>,
        before: Option<MembershipView>,
        after: Option<MembershipView>,
        chairs: usize,
    ) -> Result<(), Error> {
        check_chair_change(&actor(admin), acting, before, after, chairs)
    }
    fn invited(role: Role) -> Option<MembershipView> {
        Some(MembershipView { role, status: MembershipStatus::Invited })
    }

    #[test]
    fn an_administrator_can_neither_demote_the_chair_nor_make_themself_chair() {
        let admin_role = active(Role::Administrator);
        let demote = chair_rule(false, admin_role, active(Role::Chair), active(Role::Member), 1);
        assert!(matches!(demote, Err(Error::Forbidden(_))), "{demote:?}");
        let take_over = chair_rule(false, admin_role, admin_role, active(Role::Chair), 1);
        assert!(matches!(take_over, Err(Error::Forbidden(_))), "{take_over:?}");
        let remove = chair_rule(false, admin_role, active(Role::Chair), None, 2);
        assert!(matches!(remove, Err(Error::Forbidden(_))), "{remove:?}");
        let invite = chair_rule(false, admin_role, None, invited(Role::Chair), 1);
        assert!(matches!(invite, Err(Error::Forbidden(_))), "{invite:?}");
    }

    #[test]
    fn an_administrator_still_manages_everyone_below_the_chair() {
        let admin_role = active(Role::Administrator);
        assert!(chair_rule(false, admin_role, active(Role::Member), active(Role::Administrator), 1).is_ok());
        assert!(chair_rule(false, admin_role, active(Role::Sponsor), None, 1).is_ok());
        assert!(chair_rule(false, admin_role, None, invited(Role::Member), 1).is_ok());
        assert!(chair_rule(false, admin_role, admin_role, None, 1).is_ok(), "an Administrator may leave");
        // An invitation as Chair, not yet accepted, is no Chair yet: it may be withdrawn.
        assert!(chair_rule(false, admin_role, invited(Role::Chair), None, 1).is_ok());
    }

    #[test]
    fn a_chair_gives_and_takes_the_chair_role_but_never_from_the_last_chair() {
        let chair = active(Role::Chair);
        assert!(chair_rule(false, chair, active(Role::Member), active(Role::Chair), 1).is_ok());
        assert!(chair_rule(false, chair, None, invited(Role::Chair), 1).is_ok());
        assert!(chair_rule(false, chair, chair, active(Role::Member), 1).is_ok(), "a second Chair remains");
        assert!(chair_rule(false, chair, chair, None, 1).is_ok());
        for after in [active(Role::Member), active(Role::Administrator), None] {
            let last = chair_rule(false, chair, chair, after, 0);
            assert!(matches!(last, Err(Error::Conflict(_))), "{after:?}: {last:?}");
        }
        // Keeping the role is no change.
        assert!(chair_rule(false, chair, chair, chair, 0).is_ok());
    }

    #[test]
    fn an_org_admin_may_change_any_chair_even_the_last() {
        for after in [active(Role::Member), None] {
            assert!(chair_rule(true, None, active(Role::Chair), after, 1).is_ok());
        }
        assert!(chair_rule(true, None, active(Role::Member), active(Role::Chair), 0).is_ok());
        assert!(chair_rule(true, active(Role::Chair), active(Role::Chair), None, 1).is_ok(), "leaving as org admin");
    }
}
