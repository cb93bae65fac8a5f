//! Buddies: an organiser who manages members (Chair, Administrator, org admin) pairs a newcomer
//! with an experienced member of the network, changes the pairing or ends it. The page suggests
//! buddies and says why; the newcomer and the buddy each see the other on the network's home,
//! both are emailed (through the outbox, in the transaction of the change), and every change is
//! in the audit log. A buddy is never in the newcomer's reporting line — their manager or above,
//! someone they manage, or an executive they support — so the newcomer can speak freely.
//!
//! Owns the pairing rules and suggestions; the checklist step "buddy" (done while a buddy exists)
//! is in `onboarding`.

use crate::http::{AppError, Result};
use crate::mail::{self, Email as Mail};
use crate::networks::{self, Seen};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use roundtable_domain::{Actor, Capability, Email, FieldError, MembershipStatus, UserId, fold};
use roundtable_store::buddies::{self, Member, Pair, Paired};
use roundtable_store::{Tx, audit, users};
use std::collections::HashSet;

/// Members of the network for at least this long count as experienced and are suggested first.
pub const EXPERIENCED_DAYS: i64 = 90;
/// Suggestions shown on the page.
pub const SUGGESTIONS: usize = 5;
/// Longest-standing members considered for suggestions (a network of any size stays one read).
const POOL: i64 = 2000;

/// A suggested buddy and why.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub id: UserId,
    pub name: String,
    pub reasons: Vec<String>,
}

/// What the assignment page shows.
#[derive(Debug)]
pub struct Assignment {
    pub seen: Seen,
    pub newcomer: Member,
    pub current: Option<Paired>,
    pub suggestions: Vec<Suggestion>,
}

/// How the organiser named the buddy.
#[derive(Debug, Clone)]
pub enum Choice {
    /// A suggestion (or an API caller's id).
    Person(UserId),
    /// Someone else, by their email.
    Email(String),
}

/// What an assignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    /// The newcomer had no buddy.
    New,
    /// Someone else was the buddy until now.
    Changed,
    /// This person already was the buddy: nothing was changed or sent.
    Unchanged,
}

/// "for 2 years", "for 5 months", "for less than a month".
pub fn tenure(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (now - since).num_days().max(0);
    let plural = |n: i64, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    if days >= 365 {
        plural(days / 365, "year")
    } else if days >= 30 {
        plural(days / 30, "month")
    } else {
        "less than a month".to_owned()
    }
}

/// A time zone that says something: `UTC` is what everyone has until they choose.
fn meaningful_zone(z: &str) -> Option<&str> {
    Some(z.trim()).filter(|z| !z.is_empty() && *z != "UTC")
}

/// Ranks possible buddies for `newcomer`. Never the newcomer, anyone in `excluded` (their
/// reporting line, the current buddy). Experienced members (`EXPERIENCED_DAYS`) come first;
/// among them a score prefers the same location (+4) or else the same time zone (+2), fewer
/// newcomers looked after now (−3 each) and a longer membership (+1 a year, up to +3); ties go
/// to the longest-standing. Each suggestion says why, in the order of what mattered.
pub fn suggest(
    newcomer: &Member,
    candidates: &[Member],
    excluded: &HashSet<UserId>,
    now: DateTime<Utc>,
) -> Vec<Suggestion> {
    let place = fold(newcomer.location.trim());
    let zone = meaningful_zone(&newcomer.time_zone);
    let mut ranked: Vec<(bool, i64, &Member, Vec<String>)> = candidates
        .iter()
        .filter(|c| c.id != newcomer.id && !excluded.contains(&c.id))
        .map(|c| {
            let experienced = now - c.member_since >= Duration::days(EXPERIENCED_DAYS);
            let years = (now - c.member_since).num_days().max(0) / 365;
            let mut score = years.min(3) - 3 * c.current_buddies;
            let mut reasons = vec![format!("In the network for {}", tenure(c.member_since, now))];
            if !place.is_empty() && fold(c.location.trim()) == place {
                score += 4;
                reasons.push(format!("Also in {}", c.location.trim()));
            } else if zone.is_some() && meaningful_zone(&c.time_zone) == zone {
                score += 2;
                reasons.push(format!("Same time zone ({})", c.time_zone));
            }
            reasons.push(match c.current_buddies {
                0 => "Looks after no newcomer at the moment".to_owned(),
                1 => "Already looks after 1 newcomer".to_owned(),
                n => format!("Already looks after {n} newcomers"),
            });
            (experienced, score, c, reasons)
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.member_since.cmp(&b.2.member_since))
            .then(fold(&a.2.name).cmp(&fold(&b.2.name)))
    });
    ranked
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, c, reasons)| Suggestion { id: c.id, name: c.name.clone(), reasons })
        .collect()
}

async fn newcomer_in(state: &AppState, seen: &Seen, newcomer: UserId) -> Result<Member> {
    // Only active members have a buddy; anyone else in (or outside) the network is not found.
    buddies::member_by_id(&state.db, seen.network.id, newcomer).await?.ok_or(AppError::NotFound)
}

/// The assignment page: the newcomer, their buddy now, and suggestions.
pub async fn assignment(state: &AppState, actor: &Actor, slug: &str, newcomer: UserId) -> Result<Assignment> {
    let seen = networks::load(state, actor, slug, Capability::ManageMembers).await?;
    let newcomer = newcomer_in(state, &seen, newcomer).await?;
    let current = buddies::buddy_of(&state.db, seen.network.id, newcomer.id).await?;
    let mut excluded: HashSet<UserId> = buddies::reporting_line(&state.db, newcomer.id).await?.into_iter().collect();
    excluded.extend(current.as_ref().map(|c| c.id));
    let pool = buddies::candidates(&state.db, seen.network.id, newcomer.id, POOL).await?;
    let suggestions = suggest(&newcomer, &pool, &excluded, Utc::now());
    Ok(Assignment { seen, newcomer, current, suggestions })
}

fn invalid(field: &'static str, msg: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, msg)])
}

/// Makes the chosen member the newcomer's buddy (or changes the buddy), emails the newcomer, the
/// buddy and any previous buddy, and records it — all in one transaction.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    actor_name: &str,
    slug: &str,
    newcomer: UserId,
    choice: Choice,
) -> Result<(Assigned, Member)> {
    let seen = networks::load(state, actor, slug, Capability::ManageMembers).await?;
    let net = &seen.network;
    let newcomer = newcomer_in(state, &seen, newcomer).await?;
    // Errors go beside the email box when one was typed, else at the top of the page.
    let field = if matches!(choice, Choice::Email(_)) { "email" } else { "form" };
    let buddy = match choice {
        Choice::Person(id) => buddies::member_by_id(&state.db, net.id, id).await?.ok_or_else(|| {
            invalid(
                "form",
                format!("That person is not an active member of {} any more. Choose another buddy.", net.name),
            )
        })?,
        Choice::Email(raw) => {
            let email = Email::parse(&raw)
                .map_err(|_| invalid("email", "Enter the email address of a member, like name@example.org."))?;
            buddies::member_by_email(&state.db, net.id, email.as_str()).await?.ok_or_else(|| {
                invalid(
                    "email",
                    format!(
                        "No active member of {} has the email {email}. A buddy must be a member of the network.",
                        net.name
                    ),
                )
            })?
        }
    };
    if buddy.id == newcomer.id {
        return Err(invalid(field, "A person cannot be their own buddy. Choose an experienced member."));
    }
    if buddies::reporting_line(&state.db, newcomer.id).await?.contains(&buddy.id) {
        // The line is followed through links its people may show only to their own networks'
        // organisers: an organiser of this one hears the rule, not which link applies, so a
        // refusal cannot be used to map reporting lines they may not see. Org admins see all.
        let why = if actor.is_org_admin {
            format!(
                "{} is in {}'s reporting line (a manager above them, someone they manage, or an executive they support). Choose someone outside it, so {} can speak freely.",
                buddy.name, newcomer.name, newcomer.name
            )
        } else {
            format!(
                "{} cannot be {}'s buddy: a buddy is always someone outside the newcomer's reporting line, so they can speak freely. Choose someone else, such as one of the suggestions.",
                buddy.name, newcomer.name
            )
        };
        return Err(invalid(field, why));
    }
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let reply_to = reply_to.as_deref();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let previous = buddies::current(&mut tx, net.id, newcomer.id).await?;
    if previous == Some(buddy.id) {
        return Ok((Assigned::Unchanged, buddy));
    }
    // PostgreSQL checks the one-current-buddy index at this INSERT, SQLite (one writer) never
    // lets the race reach it: either way the loser hears the same thing as at commit.
    buddies::assign(&mut tx, net.id, newcomer.id, buddy.id, Some(actor.user_id), now).await.map_err(raced)?;
    let home = format!("{}/n/{}", state.config.public_url(), net.slug);
    let profile = |id: UserId| format!("{}/people/{id}", state.config.public_url());
    mail::queue(
        &mut tx,
        &Mail {
            to: &newcomer.email,
            subject: format!("Meet your buddy in {}", net.name),
            paragraphs: vec![
                format!("Hello {},", newcomer.name),
                format!(
                    "{} will be your buddy in {}. A buddy is an experienced member who helps you find your feet: whom to ask, how things work here, and a friendly face at your first events.",
                    buddy.name, net.name
                ),
                format!(
                    "{} knows to expect you — say hello ({}), or look out for their message.",
                    buddy.name, buddy.email
                ),
                format!("You find your buddy on the network's page too: {home}"),
            ],
            action: Some(("See your buddy's profile", profile(buddy.id))), reply_to,
        },
        now,
    )
    .await?;
    mail::queue(
        &mut tx,
        &Mail {
            to: &buddy.email,
            subject: format!("You are {}'s buddy in {}", newcomer.name, net.name),
            paragraphs: vec![
                format!("Hello {},", buddy.name),
                format!(
                    "{actor_name} has asked you to be the buddy of {}, who is new to {}. Thank you for helping!",
                    newcomer.name, net.name
                ),
                format!(
                    "A short hello in the first week makes a big difference ({}): offer a coffee or a call, point them to the induction pack, and bring them along to the next network meeting.",
                    newcomer.email
                ),
                "If you cannot take this on, reply to an organiser so they can ask someone else.".into(),
            ],
            action: Some(("See their profile", profile(newcomer.id))), reply_to,
        },
        now,
    )
    .await?;
    let mut detail = format!("buddy: {}", buddy.email);
    if let Some(old) = previous
        && let Some(old) = users::by_id(&state.db, old).await?.filter(|u| u.deactivated_at.is_none())
    {
        detail.push_str(&format!(" (was {})", old.email));
        mail::queue(
            &mut tx,
            &Mail {
                to: &old.email,
                subject: format!("{} has a new buddy in {}", newcomer.name, net.name),
                paragraphs: vec![
                    format!("Hello {},", old.name),
                    format!(
                        "{actor_name} has paired {} with {} as their buddy in {}, so you no longer need to look after them. Thank you for your help!",
                        newcomer.name, buddy.name, net.name
                    ),
                ],
                action: Some(("Open the network", home.clone())), reply_to,
            },
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action: "onboarding.buddy_assigned",
            network_id: Some(net.id),
            subject: &newcomer.email,
            detail: &detail,
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(raced)?;
    Ok((if previous.is_some() { Assigned::Changed } else { Assigned::New }, buddy))
}

/// Two organisers at the same moment: the database keeps one current buddy, the other hears so.
fn raced(e: roundtable_store::Error) -> AppError {
    match e {
        roundtable_store::Error::Conflict(_) => AppError::Conflict(FieldError::new(
            "form",
            "Someone else changed this newcomer's buddy at the same moment. Check the page and try again.",
        )),
        e => e.into(),
    }
}

/// Ends the newcomer's pairing (the buddy is thanked by email); false if there was none.
pub async fn end(state: &AppState, actor: &Actor, actor_name: &str, slug: &str, newcomer: UserId) -> Result<bool> {
    let seen = networks::load(state, actor, slug, Capability::ManageMembers).await?;
    let net = &seen.network;
    // The newcomer may have left the network since: ending the pairing must still work.
    let person = users::by_id(&state.db, newcomer).await?.ok_or(AppError::NotFound)?;
    let reply_to = mail::reply_address(&state.db, actor.user_id).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let Some(buddy) = buddies::current(&mut tx, net.id, newcomer).await? else {
        // Nothing to end; someone who is not even a member of the network is not found.
        return match buddies::member_by_id(&state.db, net.id, newcomer).await? {
            Some(_) => Ok(false),
            None => Err(AppError::NotFound),
        };
    };
    buddies::end(&mut tx, net.id, newcomer, Some(actor.user_id), now).await?;
    let buddy = users::by_id(&state.db, buddy).await?;
    if let Some(b) = buddy.as_ref().filter(|u| u.deactivated_at.is_none()) {
        mail::queue(
            &mut tx,
            &Mail {
                to: &b.email,
                subject: format!("Your time as {}'s buddy has ended", person.name),
                paragraphs: vec![
                    format!("Hello {},", b.name),
                    format!(
                        "{actor_name} has ended your pairing with {} in {}: you no longer need to look after them as their buddy. Thank you for your help!",
                        person.name, net.name
                    ),
                ],
                action: Some(("Open the network", format!("{}/n/{}", state.config.public_url(), net.slug))),
                reply_to: reply_to.as_deref(),
            },
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &audit::NewEntry {
            actor_id: Some(actor.user_id),
            actor_name,
            action: "onboarding.buddy_ended",
            network_id: Some(net.id),
            subject: &person.email,
            detail: &buddy.map(|b| format!("buddy: {}", b.email)).unwrap_or_default(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The actor's own buddy in a network and the newcomers they look after (active members only).
#[derive(Debug, Default)]
pub struct Mine {
    pub buddy: Option<Paired>,
    pub looking_after: Vec<Paired>,
}

/// `person`'s pairings in the network (their buddy, the newcomers they look after), read before
/// they leave it or are removed (`tell_pairings_ended` then writes to the others).
pub async fn pairings_of(state: &AppState, seen: &Seen, person: UserId) -> Result<Mine> {
    let (buddy, looking_after) = buddies::of_person(&state.db, seen.network.id, person).await?;
    Ok(Mine { buddy, looking_after })
}

/// Tells the other side of each pairing that ended because `name` left the network (or was
/// removed from it), in the leaving's transaction: each newcomer they looked after, so they do
/// not wait on someone who is gone (the organisers can pair them again), and their own buddy,
/// who need not look out for them any more.
pub async fn tell_pairings_ended(state: &AppState, tx: &mut Tx, seen: &Seen, name: &str, ended: Mine) -> Result<()> {
    let now = Utc::now();
    let net = &seen.network;
    let home = format!("{}/n/{}", state.config.public_url(), net.slug);
    // (to, their name, subject, what happened)
    let mut told: Vec<(String, String, String, String)> = ended
        .looking_after
        .into_iter()
        .map(|n| {
            (n.email, n.name, format!("{name} is no longer your buddy in {}", net.name), format!(
                "{name} is no longer a member of {}, so they are no longer your buddy there. The network's organisers can pair you with someone else; you can ask them on the network's page.",
                net.name
            ))
        })
        .collect();
    if let Some(b) = ended.buddy {
        told.push((b.email, b.name, format!("Your time as {name}'s buddy has ended"), format!(
            "{name} is no longer a member of {}, so you no longer need to look after them as their buddy. Thank you for your help!",
            net.name
        )));
    }
    for (to, hello, subject, text) in told {
        let m = Mail {
            to: &to,
            subject,
            paragraphs: vec![format!("Hello {hello},"), text],
            action: Some(("Open the network", home.clone())),
            reply_to: None,
        };
        mail::queue(tx, &m, now).await?;
    }
    Ok(())
}

pub async fn mine(state: &AppState, actor: &Actor, seen: &Seen) -> Result<Mine> {
    if seen.status() != Some(MembershipStatus::Active) {
        return Ok(Mine::default());
    }
    pairings_of(state, seen, actor.user_id).await
}

/// The actor's own buddy data, loading the network (members; the API).
pub async fn mine_in(state: &AppState, actor: &Actor, slug: &str) -> Result<(Seen, Mine)> {
    let seen = networks::load(state, actor, slug, Capability::ReadMembers).await?;
    let mine = mine(state, actor, &seen).await?;
    Ok((seen, mine))
}

/// Every current pairing of a network (organisers).
pub async fn pairs(state: &AppState, actor: &Actor, slug: &str) -> Result<(Seen, Vec<Pair>)> {
    let seen = networks::load(state, actor, slug, Capability::Organise).await?;
    let list = buddies::pairs(&state.db, seen.network.id).await?;
    Ok((seen, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, location: &str, zone: &str, days: i64, buddies: i64, now: DateTime<Utc>) -> Member {
        Member {
            id: UserId::new(),
            name: name.into(),
            email: format!("{}@example.org", name.to_lowercase()),
            location: location.into(),
            time_zone: zone.into(),
            member_since: now - Duration::days(days),
            current_buddies: buddies,
        }
    }

    #[test]
    fn experienced_nearby_members_with_room_come_first_and_say_why() {
        let now = Utc::now();
        let newcomer = person("Nia", "London", "Europe/London", 3, 0, now);
        let far_veteran = person("Vera", "Paris", "Europe/Paris", 2000, 0, now);
        let near = person("Lou", "london", "Europe/London", 400, 0, now);
        let near_busy = person("Bea", "London", "Europe/London", 1500, 2, now);
        let same_zone = person("Zac", "Manchester", "Europe/London", 200, 0, now);
        let fresh_near = person("Fay", "London", "Europe/London", 20, 0, now);
        let manager = person("Max", "London", "Europe/London", 3000, 0, now);
        let pool = vec![
            far_veteran.clone(),
            near.clone(),
            near_busy.clone(),
            same_zone.clone(),
            fresh_near.clone(),
            manager.clone(),
            newcomer.clone(),
        ];
        let excluded: HashSet<UserId> = [manager.id].into();
        let s = suggest(&newcomer, &pool, &excluded, now);
        let names: Vec<&str> = s.iter().map(|x| x.name.as_str()).collect();
        // Lou: 1 year + same place = 5; Vera: 3 years = 3; Zac: same zone = 2; Bea: 3 + 4 - 6 = 1;
        // Fay is nearby but joined 20 days ago, so she comes after every experienced member.
        assert_eq!(names, ["Lou", "Vera", "Zac", "Bea", "Fay"]);
        assert_eq!(
            s[0].reasons,
            ["In the network for 1 year", "Also in london", "Looks after no newcomer at the moment"]
        );
        assert!(s[2].reasons.contains(&"Same time zone (Europe/London)".to_owned()));
        assert!(s[3].reasons.contains(&"Already looks after 2 newcomers".to_owned()));
        assert!(!names.contains(&"Max") && !names.contains(&"Nia"), "never the reporting line or oneself");
    }

    #[test]
    fn utc_is_not_a_shared_time_zone_and_tenure_reads_naturally() {
        let now = Utc::now();
        let newcomer = person("Nia", "", "UTC", 1, 0, now);
        let other = person("Oz", "", "UTC", 100, 0, now);
        let s = suggest(&newcomer, &[other], &HashSet::new(), now);
        assert!(!s[0].reasons.iter().any(|r| r.contains("time zone")), "{:?}", s[0].reasons);
        assert_eq!(tenure(now - Duration::days(61), now), "2 months");
        assert_eq!(tenure(now - Duration::days(3), now), "less than a month");
        assert_eq!(tenure(now - Duration::days(800), now), "2 years");
    }
}
