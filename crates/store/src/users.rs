//! People's accounts.

use crate::{Db, Result, Row, Tx, params, queries};
use chrono::{DateTime, Utc};
use roundtable_domain::{Email, FOLD_VERSION, PersonName, UserId, fold};

queries! {
    BY_ID = "SELECT id, email, name, password_hash, is_org_admin, email_verified_at, deactivated_at, created_at FROM users WHERE id = $1";
    BY_EMAIL = "SELECT id, email, name, password_hash, is_org_admin, email_verified_at, deactivated_at, created_at FROM users WHERE email = $1";
    /// A new account starts in the organisation's time zone (UTC before there is one).
    INSERT = "INSERT INTO users (id, email, name, name_folded, password_hash, is_org_admin, email_verified_at, created_at, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE((SELECT time_zone FROM organisation), 'UTC'))";
    SET_PASSWORD = "UPDATE users SET password_hash = $2 WHERE id = $1";
    SET_ADMIN = "UPDATE users SET is_org_admin = $2 WHERE id = $1";
    VERIFY_EMAIL = "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL";
    SET_DEACTIVATED = "UPDATE users SET deactivated_at = $2 WHERE id = $1";
    INSERT_WITH_PROFILE = "INSERT INTO users (id, email, name, name_folded, password_hash, is_org_admin, email_verified_at, created_at, job_title, department, location, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    COUNT = "SELECT COUNT(*) FROM users";
    /// The person behind a live session, with the session's last-seen time and "remember me",
    /// in one round trip (every signed-in request does this) — and the read model's version, so
    /// the page's snapshot check needs no query of its own, and the person's time zone, so pages
    /// write dates on their calendar without one either.
    BY_SESSION = "SELECT u.id, u.email, u.name, u.password_hash, u.is_org_admin, u.email_verified_at, u.deactivated_at, u.created_at, s.last_seen_at, s.remember, (SELECT version FROM read_model_version WHERE id = 1), u.time_zone FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.deactivated_at IS NULL";
    /// The HR employee id goes too: a later import must not find the erased account by it, and
    /// the id is free for someone else.
    ERASE_USER = "UPDATE users SET email = $2, name = 'Former member', name_folded = 'former member', password_hash = NULL, is_org_admin = $3, job_title = '', department = '', location = '', time_zone = 'UTC', employee_id = NULL, deactivated_at = $4 WHERE id = $1";
    ERASE_PROFILE = "DELETE FROM profiles WHERE user_id = $1";
    ERASE_PHOTO = "DELETE FROM profile_photos WHERE user_id = $1";
    ERASE_TAGS = "DELETE FROM profile_tags WHERE user_id = $1";
    ERASE_SUPPORTS = "DELETE FROM profile_supports WHERE user_id = $1 OR executive_id = $1";
    ERASE_MANAGER_REFS = "UPDATE profiles SET manager_id = NULL WHERE manager_id = $1";
    ERASE_SESSIONS = "DELETE FROM sessions WHERE user_id = $1";
    ERASE_TOKENS = "DELETE FROM api_tokens WHERE user_id = $1";
    /// The addresses they signed in from (kept for the sign-in limits) go at once, not at the
    /// next clean-up.
    ERASE_LOGIN_ADDRESSES = "DELETE FROM login_addresses WHERE user_id = $1";
    ERASE_LINKS = "DELETE FROM one_time_links WHERE user_id = $1";
    ERASE_FORMER_NAMES = "DELETE FROM former_names WHERE user_id = $1";
    PREFERRED_NAME = "SELECT preferred_name FROM profiles WHERE user_id = $1";
    INSERT_FORMER_NAME = "INSERT INTO former_names (user_id, name, until_at) VALUES ($1, $2, $3)";
    FORMER_NAMES = "SELECT name, until_at FROM former_names WHERE user_id = $1 ORDER BY until_at";
    /// Links to one of their addresses for nobody's account, made while they held it (before
    /// or after, the address was someone else's).
    ERASE_LINKS_TO = "DELETE FROM one_time_links WHERE user_id IS NULL AND email = $1 AND created_at >= $2 AND created_at < $3";
    ERASE_AUDIT_ACTOR = "UPDATE audit_log SET actor_name = 'Former member' WHERE actor_id = $1";
    /// An entry about the person that also holds an employee ID (an email change): who did what
    /// and when stays, the rest goes.
    ERASE_AUDIT_ENTRY = "UPDATE audit_log SET subject = 'a former member', detail = 'details erased with the person' WHERE id = $1";
    /// Ratings stay for the figures; the words go, since free text can say who wrote it.
    ERASE_FEEDBACK_COMMENTS = "UPDATE event_feedback SET comment = '' WHERE user_id = $1";
    /// Their secret calendar URLs: nothing to count, and they would show an erased person's
    /// calendar.
    ERASE_FEEDS = "DELETE FROM calendar_feeds WHERE user_id = $1";
    /// What they wrote to organisers when asking to join (the request itself stays, anonymous).
    ERASE_REQUEST_NOTES = "UPDATE memberships SET request_note = NULL WHERE user_id = $1";
    /// Entries about one of their addresses while they held it.
    ERASE_AUDIT_SUBJECT = "UPDATE audit_log SET subject = 'a former member' WHERE subject = $1 AND at >= $2 AND at < $3";
    /// Details name people too ("buddy: ann@example.org (was bo@example.org)"): the entries of
    /// the time they held the address that contain it somewhere, to replace it where it stands
    /// alone (`scrub`).
    AUDIT_DETAILS_NAMING = "SELECT id, detail FROM audit_log WHERE REPLACE(detail, $1, '') <> detail AND at >= $2 AND at < $3";
    SET_AUDIT_DETAIL = "UPDATE audit_log SET detail = $2 WHERE id = $1";
    /// A bounced message's job keeps the server's answer, which names the address ("550
    /// <ann@…>: no such user"): mail to someone who left bouncing is what often comes before
    /// erasing them.
    ERASE_JOB_ERRORS = "UPDATE jobs SET last_error = REPLACE(last_error, $1, 'a former member') WHERE REPLACE(last_error, $1, '') <> last_error AND created_at >= $2 AND created_at < $3";
    /// "Forgot your password?" requests for the address (the app's `password_reset` jobs keep
    /// the address typed, normalised, until done jobs are purged).
    ERASE_RESET_REQUESTS = "DELETE FROM jobs WHERE kind = 'password_reset' AND payload = $1 AND created_at >= $2 AND created_at < $3";
    ERASE_OUTBOX = "DELETE FROM outbox WHERE to_addr = $1 AND created_at >= $2 AND created_at < $3 RETURNING file_name";
    /// Mail they wrote to others (an organiser's message) no longer sends replies to them.
    CLEAR_REPLY_TO = "UPDATE outbox SET reply_to = NULL WHERE reply_to = $1 AND created_at >= $2 AND created_at < $3";
    /// Audit entries and mail written since `$2` that mention the name `$1` (`$3`: as HTML).
    AUDIT_NAMING = "SELECT id, subject, detail FROM audit_log WHERE (REPLACE(LOWER(subject), LOWER($1), '') <> LOWER(subject) OR REPLACE(LOWER(detail), LOWER($1), '') <> LOWER(detail)) AND at >= $2";
    SET_AUDIT_TEXT = "UPDATE audit_log SET subject = $2, detail = $3 WHERE id = $1";
    OUTBOX_NAMING = "SELECT id, subject, text_body, html_body, file_name, COALESCE(ics, '') FROM outbox WHERE (REPLACE(LOWER(subject), LOWER($1), '') <> LOWER(subject) OR REPLACE(LOWER(text_body), LOWER($1), '') <> LOWER(text_body) OR REPLACE(LOWER(html_body), LOWER($3), '') <> LOWER(html_body) OR REPLACE(LOWER(COALESCE(ics, '')), LOWER($1), '') <> LOWER(COALESCE(ics, ''))) AND created_at >= $2 AND created_at < $4";
    SET_OUTBOX_TEXT = "UPDATE outbox SET subject = $2, text_body = $3, html_body = $4, ics = CASE WHEN ics IS NULL THEN NULL ELSE $5 END WHERE id = $1";
    NOTES_NAMING = "SELECT event_id, occurrence_at, agenda, minutes, summary FROM event_notes WHERE (REPLACE(LOWER(agenda), LOWER($1), '') <> LOWER(agenda) OR REPLACE(LOWER(minutes), LOWER($1), '') <> LOWER(minutes) OR REPLACE(LOWER(summary), LOWER($1), '') <> LOWER(summary)) AND updated_at >= $2";
    /// Other text that may name someone (any case): events and single occurrences, feedback,
    /// charters, onboarding steps, network descriptions.
    EVENTS_NAMING = "SELECT id, title, description FROM events WHERE REPLACE(LOWER(title), LOWER($1), '') <> LOWER(title) OR REPLACE(LOWER(description), LOWER($1), '') <> LOWER(description)";
    SET_EVENT_TEXT = "UPDATE events SET title = $2, description = $3 WHERE id = $1";
    OCCURRENCES_NAMING = "SELECT event_id, occurrence_at, title FROM event_exceptions WHERE REPLACE(LOWER(title), LOWER($1), '') <> LOWER(title)";
    SET_OCCURRENCE_TITLE = "UPDATE event_exceptions SET title = $3 WHERE event_id = $1 AND occurrence_at = $2";
    FEEDBACK_NAMING = "SELECT event_id, occurrence_at, user_id, comment FROM event_feedback WHERE REPLACE(LOWER(comment), LOWER($1), '') <> LOWER(comment)";
    SET_FEEDBACK_COMMENT = "UPDATE event_feedback SET comment = $4 WHERE event_id = $1 AND occurrence_at = $2 AND user_id = $3";
    CHARTERS_NAMING = "SELECT network_id, version, body FROM charters WHERE REPLACE(LOWER(body), LOWER($1), '') <> LOWER(body)";
    SET_CHARTER_BODY = "UPDATE charters SET body = $3 WHERE network_id = $1 AND version = $2";
    STEPS_NAMING = "SELECT id, title, description FROM onboarding_steps WHERE REPLACE(LOWER(title), LOWER($1), '') <> LOWER(title) OR REPLACE(LOWER(description), LOWER($1), '') <> LOWER(description)";
    SET_STEP_TEXT = "UPDATE onboarding_steps SET title = $2, description = $3 WHERE id = $1";
    NETWORKS_NAMING = "SELECT id, description FROM networks WHERE REPLACE(LOWER(description), LOWER($1), '') <> LOWER(description)";
    SET_NETWORK_DESCRIPTION = "UPDATE networks SET description = $2 WHERE id = $1";
    SET_NOTES_TEXT = "UPDATE event_notes SET agenda = $3, minutes = $4, summary = $5 WHERE event_id = $1 AND occurrence_at = $2";
    COUNT_ADMINS = "SELECT COUNT(*) FROM users WHERE is_org_admin = $1 AND deactivated_at IS NULL";
    ADMINS = "SELECT name, email FROM users WHERE is_org_admin = $1 AND deactivated_at IS NULL ORDER BY name_folded, email";
    /// By name or email (LIKE $1), or exactly by HR employee ID ($4), that person first; the
    /// count has the same condition, so pages and totals agree.
    /// `$5` is a `Standing` (the erased are deactivated, with an address at `ERASED_DOMAIN`).
    SEARCH = "SELECT id, email, name, password_hash, is_org_admin, email_verified_at, deactivated_at, created_at FROM users WHERE (name_folded LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\' OR employee_id = $4) AND ($5 = 'all' OR ($5 = 'active' AND deactivated_at IS NULL) OR ($5 = 'deactivated' AND deactivated_at IS NOT NULL AND email NOT LIKE '%@erased.invalid') OR ($5 = 'erased' AND email LIKE '%@erased.invalid') OR ($5 = 'admins' AND is_org_admin) OR ($5 = 'no-password' AND deactivated_at IS NULL AND password_hash IS NULL)) ORDER BY CASE WHEN employee_id = $4 THEN 0 ELSE 1 END, name_folded, id LIMIT $2 OFFSET $3";
    SEARCH_COUNT = "SELECT COUNT(*) FROM users WHERE (name_folded LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\' OR employee_id = $2) AND ($3 = 'all' OR ($3 = 'active' AND deactivated_at IS NULL) OR ($3 = 'deactivated' AND deactivated_at IS NOT NULL AND email NOT LIKE '%@erased.invalid') OR ($3 = 'erased' AND email LIKE '%@erased.invalid') OR ($3 = 'admins' AND is_org_admin) OR ($3 = 'no-password' AND deactivated_at IS NULL AND password_hash IS NULL))";
    /// Active accounts without a password (an import made them), and how many of those have
    /// had no password or welcome link since $1.
    WITHOUT_PASSWORD = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM one_time_links l WHERE l.purpose = 'reset' AND l.email = u.email AND l.created_at > $1) THEN 0 ELSE 1 END), 0) FROM users u WHERE u.password_hash IS NULL AND u.deactivated_at IS NULL";
    /// Those of them with no link since $1, by name.
    WELCOME_DUE = "SELECT u.id, u.email, u.name, u.password_hash, u.is_org_admin, u.email_verified_at, u.deactivated_at, u.created_at FROM users u WHERE u.password_hash IS NULL AND u.deactivated_at IS NULL AND NOT EXISTS (SELECT 1 FROM one_time_links l WHERE l.purpose = 'reset' AND l.email = u.email AND l.created_at > $1) ORDER BY u.name_folded, u.id";
    /// The assistants who support the person (the other side of their profile's "supports"),
    /// with the audiences they chose (whether the person may see that is the app's call); those
    /// who have left are not listed, as they are nowhere else.
    SUPPORTED_BY = "SELECT u.id, u.name, p.visibility FROM profile_supports s JOIN users u ON u.id = s.user_id LEFT JOIN profiles p ON p.user_id = s.user_id WHERE s.executive_id = $1 AND u.deactivated_at IS NULL ORDER BY u.name_folded, u.id";
    /// The people with an active account whose profile names the person as their manager, with
    /// their audiences.
    REPORTS = "SELECT u.id, u.name, p.visibility FROM profiles p JOIN users u ON u.id = p.user_id WHERE p.manager_id = $1 AND u.deactivated_at IS NULL ORDER BY u.name_folded, u.id";
    NAMES_FOLDED = "SELECT id, name, name_folded FROM users";
    FOLDED_WITH = "SELECT version FROM name_folding WHERE id = 1";
    SET_FOLDED_WITH = "UPDATE name_folding SET version = $1 WHERE id = 1";
    /// Only while the name is still the one folded: a rename in the meantime stays as it is.
    SET_NAME_FOLDED = "UPDATE users SET name_folded = $2 WHERE id = $1 AND name = $3";
}

/// Brings every `users.name_folded` up to date with `fold`, which a new version may change
/// (`Db::migrate` runs this after the migrations, at every start). SQL compares the column with
/// folded queries — the admin's people search — and sorts by it, so a name folded the older way
/// ("i\u{307}lkay gundoğan") would not be found by "ilkay" nor sorted where it belongs. The names
/// are read only when they were folded by another `FOLD_VERSION` (recorded in `name_folding`);
/// then only rows whose fold changed are written. Instances starting together may both refold:
/// the result is the same. (During a rolling upgrade to a release with a new `FOLD_VERSION`, an
/// instance of the older release still running may write a name the older way after the new one
/// refolded; `roundtable migrate` refolds every name whatever the version, `force`.)
///
/// The read model does not depend on this: it refolds what it loads (`Snapshot::build`), which
/// also covers the profile search text and tags, so those are not rewritten here.
#[tracing::instrument(skip_all)]
pub async fn refold_names(db: &Db, force: bool) -> Result<u64> {
    let folded_with = db.read_opt(FOLDED_WITH, vec![]).await?.map(|r| r.int(0)).transpose()?;
    if folded_with == Some(FOLD_VERSION) && !force {
        return Ok(0);
    }
    let mut stale = Vec::new();
    for r in db.read(NAMES_FOLDED, vec![]).await? {
        let (name, stored) = (r.text(1)?, r.text(2)?);
        let folded = fold(&name);
        if folded != stored {
            stale.push((r.text(0)?, name, folded));
        }
    }
    let mut tx = db.begin().await?;
    let mut changed = 0;
    for (id, name, folded) in &stale {
        changed += tx.write(SET_NAME_FOLDED, params![id, folded, name]).await?;
    }
    tx.write(SET_FOLDED_WITH, params![FOLD_VERSION]).await?;
    tx.commit().await?;
    if changed > 0 {
        tracing::info!(changed, "folded names brought up to date");
    }
    Ok(changed)
}

/// The address an erased account keeps (its own was personal data); `.invalid` never resolves.
const ERASED_DOMAIN: &str = "@erased.invalid";

/// Whether `email` is the placeholder an erased account is left with.
pub fn is_erased_address(email: &str) -> bool {
    email.ends_with(ERASED_DOMAIN)
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_org_admin: bool,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whether the person's personal data was erased (`erase`): only anonymous figures are left.
    pub fn is_erased(&self) -> bool {
        is_erased_address(&self.email)
    }
}

fn map(r: &Row) -> Result<User> {
    Ok(User {
        id: UserId(r.uuid(0)?),
        email: r.text(1)?,
        name: r.text(2)?,
        password_hash: r.opt_text(3)?,
        is_org_admin: r.bool(4)?,
        email_verified_at: r.opt_time(5)?,
        deactivated_at: r.opt_time(6)?,
        created_at: r.time(7)?,
    })
}

/// What a new account starts with.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a PersonName,
    pub password_hash: Option<&'a str>,
    pub is_org_admin: bool,
    pub verified: bool,
}

/// The person behind a live session, as `by_session` finds them.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub last_seen: DateTime<Utc>,
    pub remember: bool,
    /// The read model's version at this moment.
    pub read_model_version: i64,
    /// Their profile's time zone as stored ("UTC" when they never chose one).
    pub time_zone: String,
}

/// The person behind a live session of an active account.
pub async fn by_session(db: &Db, id_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>> {
    db.read_hot(BY_SESSION, params![id_hash, now])
        .await?
        .into_iter()
        .next()
        .map(|r| {
            Ok(SessionUser {
                user: map(&r)?,
                last_seen: r.time(8)?,
                remember: r.bool(9)?,
                read_model_version: r.int(10)?,
                time_zone: r.text(11)?,
            })
        })
        .transpose()
}

pub async fn by_id(db: &Db, id: UserId) -> Result<Option<User>> {
    db.read_opt(BY_ID, params![id]).await?.as_ref().map(map).transpose()
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>> {
    db.read_opt(BY_EMAIL, params![email]).await?.as_ref().map(map).transpose()
}

/// Inserts an account; a taken email is `Error::Conflict("users.email")`.
pub async fn insert(tx: &mut Tx, u: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId> {
    let id = UserId::new();
    tx.write_for(
        id,
        INSERT,
        params![
            id,
            u.email.as_str(),
            u.name.as_str(),
            fold(u.name.as_str()),
            u.password_hash,
            u.is_org_admin,
            u.verified.then_some(now),
            now
        ],
    )
    .await?;
    // Invitations sent to the address before it had an account are now this account's.
    crate::links::claim_invitations(tx, id, u.email.as_str(), now).await?;
    Ok(id)
}

pub async fn set_password(tx: &mut Tx, id: UserId, hash: &str) -> Result<bool> {
    Ok(tx.write_for(id, SET_PASSWORD, params![id, hash]).await? > 0)
}

pub async fn set_admin(tx: &mut Tx, id: UserId, admin: bool) -> Result<bool> {
    Ok(tx.write_for(id, SET_ADMIN, params![id, admin]).await? > 0)
}

pub async fn verify_email(tx: &mut Tx, id: UserId, now: DateTime<Utc>) -> Result<bool> {
    Ok(tx.write_for(id, VERIFY_EMAIL, params![id, now]).await? > 0)
}

pub async fn set_deactivated(tx: &mut Tx, id: UserId, at: Option<DateTime<Utc>>) -> Result<bool> {
    Ok(tx.write_for(id, SET_DEACTIVATED, params![id, at]).await? > 0)
}

pub async fn count(db: &Db) -> Result<i64> {
    db.read(COUNT, vec![]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// Active administrators, counted under the organisation's lock (`org::lock`): two changes that
/// each leave one (A revokes or deactivates B while B does the same to A) take turns.
/// Active org admins, outside a transaction: what a page offers (the rules read `count_admins`).
pub async fn active_admins(db: &Db) -> Result<i64> {
    db.read(COUNT_ADMINS, params![true]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// The organisation's active administrators (name, address).
pub async fn admins(db: &Db) -> Result<Vec<(String, String)>> {
    db.read(ADMINS, params![true]).await?.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

pub async fn count_admins(tx: &mut Tx) -> Result<i64> {
    crate::org::lock(tx).await?;
    tx.read(COUNT_ADMINS, params![true]).await?.first().map_or(Ok(0), |r| r.int(0))
}

/// Escapes `%`, `_` and `\` (the statements say `ESCAPE '\'`, the same on both engines) so a
/// search for "50%" or "first_last" means the text, then wraps it for LIKE.
pub fn like_pattern(q: &str) -> String {
    like_text(&fold(q.trim()))
}

/// `text` escaped for LIKE (see `like_pattern`) and wrapped to match it anywhere.
pub fn like_text(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Which accounts the People page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    #[default]
    All,
    Active,
    /// Deactivated, not erased.
    Deactivated,
    Erased,
    /// Organisation administrators, active or not.
    Admins,
    /// Active, never given a password (made by an import): waiting for their welcome.
    NoPassword,
}

impl Standing {
    pub const ALL: [Standing; 6] = [
        Standing::All,
        Standing::Active,
        Standing::NoPassword,
        Standing::Deactivated,
        Standing::Erased,
        Standing::Admins,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::All => "all",
            Standing::Active => "active",
            Standing::Deactivated => "deactivated",
            Standing::Erased => "erased",
            Standing::Admins => "admins",
            Standing::NoPassword => "no-password",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Active accounts without a password: (all of them, those sent no link since `since`).
pub async fn without_password(db: &Db, since: DateTime<Utc>) -> Result<(i64, i64)> {
    let rows = db.read(WITHOUT_PASSWORD, params![since]).await?;
    rows.first().map_or(Ok((0, 0)), |r| Ok((r.int(0)?, r.int(1)?)))
}

/// Active accounts without a password sent no link since `since`, read in the transaction that
/// sends them one.
pub async fn welcome_due(tx: &mut Tx, since: DateTime<Utc>) -> Result<Vec<User>> {
    tx.read(WELCOME_DUE, params![since]).await?.iter().map(map).collect()
}

/// The accounts of a `Standing` whose name or email contains `q` (or whose employee ID is
/// `q`), one page, with the total.
pub async fn search(db: &Db, q: &str, standing: Standing, limit: i64, offset: i64) -> Result<(Vec<User>, i64)> {
    let pat = like_pattern(q);
    let (id, standing) = (q.trim(), standing.as_str());
    let rows = db.read(SEARCH, params![pat.clone(), limit, offset, id, standing]).await?;
    let total = db.read(SEARCH_COUNT, params![pat, id, standing]).await?.first().map_or(Ok(0), |r| r.int(0))?;
    Ok((rows.iter().map(map).collect::<Result<_>>()?, total))
}

/// A person with their basic work profile (demo data and HR imports).
pub struct NewPerson<'a> {
    pub user: NewUser<'a>,
    pub job_title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub time_zone: &'a str,
}

pub async fn insert_person(tx: &mut Tx, p: &NewPerson<'_>, now: DateTime<Utc>) -> Result<UserId> {
    let id = UserId::new();
    let u = &p.user;
    tx.write_for(
        id,
        INSERT_WITH_PROFILE,
        params![
            id,
            u.email.as_str(),
            u.name.as_str(),
            fold(u.name.as_str()),
            u.password_hash,
            u.is_org_admin,
            u.verified.then_some(now),
            now,
            p.job_title,
            p.department,
            p.location,
            p.time_zone
        ],
    )
    .await?;
    Ok(id)
}

/// `text` with each mention of the address `email` replaced by "a former member". Only whole
/// addresses count: erasing ann@example.org leaves joann@example.org and ann@example.org.uk be.
fn scrub(text: &str, email: &str) -> String {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    replace_mentions(text, email, |before, after| {
        let mut next = after.chars();
        before.is_some_and(local)
            || match next.next() {
                None => false,
                Some('.') => next.next().is_some_and(|c| c.is_ascii_alphanumeric()),
                Some(c) => c.is_ascii_alphanumeric() || c == '-',
            }
    })
}

/// `text` with each whole-word mention of the name `name` replaced by "a former member":
/// erasing "Ann Lee" leaves "Joann Leeds" be.
/// How others write the name someone goes by: "Bob Smith" for Robert Smith who goes by Bob (a
/// preferred name alone, "Bob", would also erase every other Bob), or the preferred name as it
/// is when it is a full name itself ("Bobby Smith-Jones").
fn preferred_mentions(name: &str, preferred: &str) -> Option<String> {
    let preferred = preferred.trim();
    if preferred.is_empty() || preferred.eq_ignore_ascii_case(name.trim()) {
        return None;
    }
    if preferred.split_whitespace().count() > 1 {
        return Some(preferred.to_owned());
    }
    let family = name.split_whitespace().skip(1).last()?;
    Some(format!("{preferred} {family}"))
}

/// Replaces `needle` (a name or an address) in mail queued between `from` and `until`
/// (microseconds), and adds the files written of that mail to `files`: the copies on disk
/// still hold it.
async fn scrub_outbox(tx: &mut Tx, needle: &str, from: i64, until: i64, files: &mut Vec<String>) -> Result<()> {
    let html_needle = html_escaped(needle);
    for r in tx.read(OUTBOX_NAMING, params![needle, from, html_needle.as_str(), until]).await? {
        let (id, subject, text, html, ics) = (r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?, r.text(5)?);
        let (subject, text, html, ics) = (
            scrub_name(&subject, needle),
            scrub_name(&text, needle),
            scrub_name(&html, &html_needle),
            scrub_name(&ics, needle),
        );
        tx.write(SET_OUTBOX_TEXT, params![id, subject, text, html, ics]).await?;
        files.extend(r.opt_text(4)?);
    }
    Ok(())
}

/// Whether `text` holds the whole address `email` (as `scrub` reads it).
pub(crate) fn mentions_address(text: &str, email: &str) -> bool {
    scrub(text, email) != text
}

fn scrub_name(text: &str, name: &str) -> String {
    replace_mentions(text, name, |before, after| {
        before.is_some_and(char::is_alphanumeric) || after.chars().next().is_some_and(char::is_alphanumeric)
    })
}

/// `text` with each mention of `needle` replaced by "a former member", except where
/// `runs_on(char before, text after)` says the mention is part of something longer.
fn replace_mentions(text: &str, needle: &str, runs_on: impl Fn(Option<char>, &str) -> bool) -> String {
    let (mut out, mut copied, mut from) = (String::with_capacity(text.len()), 0, 0);
    while let Some((at, end)) = find_ignoring_case(text, needle, from) {
        if !runs_on(text[..at].chars().next_back(), &text[end..]) {
            out.push_str(&text[copied..at]);
            out.push_str("a former member");
            copied = end;
        }
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where `needle` next occurs in `text` at or after byte `from`, whatever the case of either:
/// (start, end) in bytes of `text` ("ANN LEE" and "ann lee" are both Ann Lee).
fn find_ignoring_case(text: &str, needle: &str, from: usize) -> Option<(usize, usize)> {
    let want: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if want.is_empty() {
        return None;
    }
    text[from..].char_indices().find_map(|(i, _)| {
        let start = from + i;
        let mut got = text[start..].char_indices().flat_map(|(j, c)| c.to_lowercase().map(move |l| (j, c, l)));
        let mut end = start;
        for w in &want {
            let (j, c, l) = got.next()?;
            if l != *w {
                return None;
            }
            end = start + j + c.len_utf8();
        }
        Some((start, end))
    })
}

/// A name as askama writes it into an HTML page or email.
fn html_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Erases a person's personal data, keeping the anonymous rows that aggregate figures count: the
/// account becomes "Former member" with an unusable address and no employee id (the id is free
/// for someone else); memberships, charter acceptances, onboarding ticks and "settled in" marks,
/// RSVPs, attendance, hosting and the ratings of their event feedback stay, tied to that
/// anonymous account, and buddy pairings end but stay. Deleted: profile, photo, tags, supports (either side), sessions,
/// tokens, calendar feeds, sign-in addresses, links and mail to them — and the free text of their
/// event feedback and of their notes asking to join, which is emptied, as words can say who
/// wrote them.
///
/// The audit log keeps who did what and when, without naming them: their own entries say "Former
/// member", and each address they had — the current one and every one an HR import changed
/// (`audit::email_changes`) — becomes "a former member" wherever it stands alone in a subject or
/// detail; the email-change entries themselves, which also hold the employee ID, keep only their
/// action, actor and time. Links and mail to the old addresses go too. Each address counts
/// only for the time they held it (`audit::held_addresses`): an address reused by someone else
/// keeps that person's mail, links and audit entries.
///
/// Returns every address the person had, newest first, and the mail files to delete (nothing if
/// there is no such person). The one place that knows what erasure removes; callers add only
/// their audit entry and clear the files.
pub async fn erase(tx: &mut Tx, id: UserId, now: DateTime<Utc>) -> Result<Erased> {
    let Some(person) = tx.read_opt(BY_ID, params![id]).await?.as_ref().map(map).transpose()? else {
        return Ok(Erased::default());
    };
    let mut mail_files = Vec::new();
    let mut src = crate::import::Source::Tx(tx);
    let changes = crate::audit::email_changes(&mut src, &person.email, person.created_at).await?;
    let held = crate::audit::held_addresses(&mut src, &person.email, person.created_at, &changes).await?;
    let mut addresses = vec![person.email.clone()];
    for c in &changes {
        tx.write(ERASE_AUDIT_ENTRY, params![c.entry.id]).await?;
        if !addresses.contains(&c.from) {
            addresses.push(c.from.clone());
        }
    }
    // Read before the profile goes: the name they went by is in what others wrote too.
    let preferred = tx.read_opt(PREFERRED_NAME, params![id]).await?.map(|r| r.text(0)).transpose()?.unwrap_or_default();
    let placeholder = format!("erased-{}{ERASED_DOMAIN}", id.0.simple());
    tx.write(ERASE_USER, params![id, placeholder, false, now]).await?;
    for sql in [
        ERASE_PROFILE,
        ERASE_PHOTO,
        ERASE_TAGS,
        ERASE_SUPPORTS,
        ERASE_MANAGER_REFS,
        ERASE_SESSIONS,
        ERASE_TOKENS,
        ERASE_LOGIN_ADDRESSES,
        ERASE_FEEDS,
        ERASE_REQUEST_NOTES,
        ERASE_FEEDBACK_COMMENTS,
        ERASE_AUDIT_ACTOR,
        ERASE_LINKS,
    ] {
        tx.write(sql, params![id]).await?;
    }
    // Each address only for the time they held it: whoever has it now (or had it before) keeps
    // their mail, links and mentions.
    for h in &held {
        let (address, (from, until)) = (h.address.as_str(), h.bounds());
        tx.write(ERASE_LINKS_TO, params![address, from, until]).await?;
        tx.write(ERASE_AUDIT_SUBJECT, params![address, from, until]).await?;
        tx.write(ERASE_JOB_ERRORS, params![address, from, until]).await?;
        let reset_request = serde_json::json!({ "email": address }).to_string();
        tx.write(ERASE_RESET_REQUESTS, params![reset_request, from, until]).await?;
        for r in tx.read(AUDIT_DETAILS_NAMING, params![address, from, until]).await? {
            let (entry, detail) = (r.text(0)?, r.text(1)?);
            let scrubbed = scrub(&detail, address);
            if scrubbed != detail {
                tx.write(SET_AUDIT_DETAIL, params![entry, scrubbed]).await?;
            }
        }
        for r in tx.write_returning(ERASE_OUTBOX, params![address, from, until]).await? {
            mail_files.extend(r.opt_text(0)?);
        }
        // Others' mail giving the address (a buddy is told how to reach a newcomer).
        scrub_outbox(tx, address, from, until, &mut mail_files).await?;
        tx.write(CLEAR_REPLY_TO, params![address, from, until]).await?;
    }
    // Their name, in what was written while they were here: audit subjects and details ("X asks
    // to join", "invitation accepted: X"), mail to other people about them, and organisers'
    // agendas, minutes and summaries of events ("Ann presented…"). Very short names would match
    // too much to be worth it.
    // Every name they went by (the current one and those changed on their profile).
    let mut names = vec![person.name.trim().to_owned()];
    for r in tx.read(FORMER_NAMES, params![id]).await? {
        names.push(r.text(0)?.trim().to_owned());
    }
    tx.write(ERASE_FORMER_NAMES, params![id]).await?;
    // The name they go by, with the family name of each of those names ("Annie Smith" before
    // a marriage, "Annie Jones" after).
    let mentions: Vec<String> = names.iter().filter_map(|n| preferred_mentions(n, &preferred)).collect();
    names.extend(mentions);
    // As others type them too: "Zoe Adams" for Zoë Adams, "Joerg Mueller" for Jörg Müller (the
    // directory finds them by those spellings, so people write them).
    let spelt: Vec<String> = names
        .iter()
        .flat_map(|n| {
            let spelt_out = roundtable_domain::umlauts_spelt_out(n);
            let spelt_out_plain = spelt_out.as_deref().map(roundtable_domain::fold);
            [Some(roundtable_domain::fold(n)), spelt_out, spelt_out_plain]
        })
        .flatten()
        // Each search below ignores case already: only another spelling is new.
        .filter(|v| !names.iter().any(|n| n.to_lowercase() == *v.to_lowercase()))
        .collect();
    names.extend(spelt);
    // Longest first: "Ann Lee-Smith" goes before "Ann Lee" could leave "-Smith" behind.
    names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    names.dedup();
    for name in names.iter().map(String::as_str).filter(|n| n.chars().count() >= 3) {
        for r in tx.read(AUDIT_NAMING, params![name, person.created_at]).await? {
            let (entry, subject, detail) = (r.text(0)?, r.text(1)?, r.text(2)?);
            tx.write(SET_AUDIT_TEXT, params![entry, scrub_name(&subject, name), scrub_name(&detail, name)]).await?;
        }
        scrub_outbox(tx, name, crate::micros(person.created_at), i64::MAX, &mut mail_files).await?;
        scrub_writing(tx, name, person.created_at).await?;
    }
    // Their addresses too, where people wrote them ("questions to ann@…"); mail and the audit
    // log were cleared above, each address for the time they held it.
    for address in &addresses {
        scrub_writing(tx, address, person.created_at).await?;
    }
    // They are nobody's buddy, and have none, any more; the ended rows stay for the figures.
    crate::buddies::end_all_for(tx, id, now).await?;
    mail_files.sort();
    mail_files.dedup();
    Ok(Erased { addresses, mail_files })
}

/// Replaces `name` (or an address, in any case) with "a former member" in what organisers
/// and members wrote: events' notes since `since`, events, occurrences, feedback, charters,
/// onboarding steps and network descriptions.
async fn scrub_writing(tx: &mut Tx, name: &str, since: DateTime<Utc>) -> Result<()> {
    for r in tx.read(NOTES_NAMING, params![name, since]).await? {
        let (event, at) = (r.uuid(0)?, r.time(1)?);
        let (agenda, minutes, summary) =
            (scrub_name(&r.text(2)?, name), scrub_name(&r.text(3)?, name), scrub_name(&r.text(4)?, name));
        tx.write(SET_NOTES_TEXT, params![event, at, agenda, minutes, summary]).await?;
    }
    for r in tx.read(EVENTS_NAMING, params![name]).await? {
        let (event, title, description) = (r.uuid(0)?, r.text(1)?, r.text(2)?);
        tx.write(SET_EVENT_TEXT, params![event, scrub_name(&title, name), scrub_name(&description, name)]).await?;
    }
    for r in tx.read(OCCURRENCES_NAMING, params![name]).await? {
        let (event, at, title) = (r.uuid(0)?, r.time(1)?, r.text(2)?);
        tx.write(SET_OCCURRENCE_TITLE, params![event, at, scrub_name(&title, name)]).await?;
    }
    for r in tx.read(FEEDBACK_NAMING, params![name]).await? {
        let (event, at, by, comment) = (r.uuid(0)?, r.time(1)?, r.uuid(2)?, r.text(3)?);
        tx.write(SET_FEEDBACK_COMMENT, params![event, at, by, scrub_name(&comment, name)]).await?;
    }
    for r in tx.read(CHARTERS_NAMING, params![name]).await? {
        let (network, version, body) = (r.uuid(0)?, r.int(1)?, r.text(2)?);
        tx.write(SET_CHARTER_BODY, params![network, version, scrub_name(&body, name)]).await?;
    }
    for r in tx.read(STEPS_NAMING, params![name]).await? {
        let (step, title, description) = (r.uuid(0)?, r.text(1)?, r.text(2)?);
        tx.write(SET_STEP_TEXT, params![step, scrub_name(&title, name), scrub_name(&description, name)]).await?;
    }
    for r in tx.read(NETWORKS_NAMING, params![name]).await? {
        let (network, description) = (r.uuid(0)?, r.text(1)?);
        tx.write(SET_NETWORK_DESCRIPTION, params![network, scrub_name(&description, name)]).await?;
    }
    Ok(())
}

/// What `erase` leaves for the caller to clear outside the database.
#[derive(Debug, Default)]
pub struct Erased {
    /// Every address the person had, current and former (sign-in failures are counted by address).
    pub addresses: Vec<String>,
    /// Files under the mail outbox folder (`.eml`, written when no SMTP server is set) of messages
    /// to them, or naming them, that erasure deleted or rewrote.
    pub mail_files: Vec<String>,
}

/// Keeps the name a person stops using (`until`: when they changed it), for erasure and for
/// "download my data".
pub async fn record_former_name(tx: &mut Tx, id: UserId, name: &str, until: DateTime<Utc>) -> Result<()> {
    tx.write(INSERT_FORMER_NAME, params![id, name, until]).await?;
    Ok(())
}

/// The names `id` went by before their current one, oldest first, with when each ended.
pub async fn former_names(db: &Db, id: UserId) -> Result<Vec<(String, DateTime<Utc>)>> {
    db.read(FORMER_NAMES, params![id]).await?.iter().map(|r| Ok((r.text(0)?, r.time(1)?))).collect()
}

/// Someone on the other side of a profile link: their id, name and profile audiences (JSON,
/// `{}` when they have no profile row).
pub type Linked = (UserId, String, String);

fn linked(r: &Row) -> Result<Linked> {
    Ok((UserId(r.uuid(0)?), r.text(1)?, r.opt_text(2)?.unwrap_or_else(|| "{}".to_owned())))
}

/// The assistants who support `id`, with their audiences.
pub async fn supported_by(db: &Db, id: UserId) -> Result<Vec<Linked>> {
    db.read(SUPPORTED_BY, params![id]).await?.iter().map(linked).collect()
}

/// The people whose manager is `id`, with their audiences.
pub async fn reports(db: &Db, id: UserId) -> Result<Vec<Linked>> {
    db.read(REPORTS, params![id]).await?.iter().map(linked).collect()
}

#[cfg(test)]
mod tests {
    use super::{html_escaped, preferred_mentions, scrub, scrub_name};

    #[test]
    fn a_preferred_name_is_erased_with_the_family_name_not_alone() {
        assert_eq!(preferred_mentions("Robert Smith", "Bob").as_deref(), Some("Bob Smith"));
        assert_eq!(preferred_mentions("María José García", "Majo").as_deref(), Some("Majo García"));
        assert_eq!(preferred_mentions("Robert Smith", "Bobby Smith-Jones").as_deref(), Some("Bobby Smith-Jones"));
        // Nothing to add: none given, the name itself, or a one-word name with no family name.
        for (name, preferred) in [("Robert Smith", ""), ("Robert Smith", "robert smith"), ("Cher", "C")] {
            assert_eq!(preferred_mentions(name, preferred), None, "{name} / {preferred}");
        }
    }

    #[test]
    fn erasure_scrubs_whole_addresses_only() {
        let e = "ann@example.org";
        assert_eq!(
            scrub("buddy: ann@example.org (was bo@example.org)", e),
            "buddy: a former member (was bo@example.org)"
        );
        assert_eq!(scrub("now ann@example.org.", e), "now a former member.");
        assert_eq!(scrub("ann@example.org, ann@example.org", e), "a former member, a former member");
        assert_eq!(scrub("joann@example.org", e), "joann@example.org");
        assert_eq!(scrub("x.ann@example.org", e), "x.ann@example.org");
        assert_eq!(scrub("ann@example.org.uk and ann@example.org-x", e), "ann@example.org.uk and ann@example.org-x");
    }

    #[test]
    fn erasure_scrubs_whole_names_only() {
        let n = "Ann Lee";
        assert_eq!(scrub_name("Ann Lee asks to join Allies", n), "a former member asks to join Allies");
        assert_eq!(
            scrub_name("Joann Leeds, Ann Leeson and Ann Lee.", n),
            "Joann Leeds, Ann Leeson and a former member."
        );
        assert_eq!(scrub_name("Ann LeeAnn Lee", n), "Ann LeeAnn Lee", "run together, neither is the name alone");
        assert_eq!(scrub_name("Zoë Ann Lee", n), "Zoë a former member");
        assert_eq!(scrub_name("THANKS ANN LEE, and ann lee!", n), "THANKS a former member, and a former member!");
        assert_eq!(scrub_name("ÉMILE DURAND wrote", "Émile Durand"), "a former member wrote", "any case, any letter");
        assert_eq!(html_escaped("Seán O'Brien & co"), "Seán O&#39;Brien &#38; co");
    }
}
