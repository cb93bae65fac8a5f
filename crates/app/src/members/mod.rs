//! Members: profiles with per-field privacy, the directory (search + facets, organisation-wide
//! or per network) and "people like me". Privacy is decided by `domain::profile::can_see` for
//! single profiles and enforced in the store's SQL for searches and counts.

pub mod api;
pub mod pages;
pub mod photo;

use crate::http::{AppError, Result};
use crate::read_model::{DirectoryFilter, Sort};
use crate::state::AppState;
use axum::http::StatusCode;
use chrono::Utc;
use roundtable_domain::profile::{self, Audience, Field, Relation};
use roundtable_domain::{Actor, Capability, Email, FieldError, LongText, Page, PersonName, UserId, fold};
use roundtable_store::profiles::{self, Listed, Profile, ProfileWrite};
use roundtable_store::users;
use std::collections::BTreeMap;

/// Per-field audiences as stored (JSON); unknown or missing fields get the default.
pub fn audiences(json: &str) -> BTreeMap<Field, Audience> {
    let raw: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    Field::ALL
        .into_iter()
        .map(|f| (f, raw.get(f.as_str()).and_then(|a| Audience::parse(a)).unwrap_or(f.default_audience())))
        .collect()
}

/// The per-field audiences as stored: the JSON `audiences` reads. Written compactly
/// (`{"bio":"organisers",…}`): the read model picks out organisers-only text by that spelling
/// (`roundtable_store::read_model`'s people query).
pub fn visibility_json(aud: &BTreeMap<Field, Audience>) -> serde_json::Result<String> {
    serde_json::to_string(&aud.iter().map(|(f, a)| (f.as_str(), a.as_str())).collect::<BTreeMap<_, _>>())
}

/// A profile as one viewer may see it: hidden fields are `None` / empty.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub id: UserId,
    pub name: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    pub time_zone: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub level: Option<String>,
    pub years_experience: Option<i64>,
    pub skills: Option<Vec<String>>,
    pub interests: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    /// Sanitised HTML rendered from the Markdown bio.
    pub bio_html: Option<String>,
    pub start_date: Option<String>,
    pub manager: Option<(UserId, String)>,
    pub supports: Option<Vec<(UserId, String)>>,
    /// The people who name this person as their manager, each only where their own profile
    /// shows its manager to the viewer.
    pub reports: Vec<(UserId, String)>,
    /// The people who name this person as an executive they support, likewise.
    pub supported_by: Vec<(UserId, String)>,
    /// A photo exists and the viewer may see it.
    pub has_photo: bool,
    /// When the photo last changed (microseconds), for its address: a new photo is a new
    /// address, so no one sees the cached old one.
    pub photo_version: i64,
    pub is_self: bool,
    /// Who sees each optional field: for the person themself only (empty for anyone else, to
    /// whom the audiences of what they cannot see would say something too).
    pub shown_to: Vec<(Field, Audience)>,
}

fn tags_of(p: &Profile, kind: &str) -> Vec<String> {
    p.tags.iter().filter(|(k, _)| k == kind).map(|(_, t)| t.clone()).collect()
}

/// Markdown → HTML through comrak, then ammonia, so a bio, charter or event description cannot
/// carry scripts or styles. Images become links to them: an image from another server is a
/// tracking pixel that tells its owner who read the text, and when. The text sits under a heading of
/// level `under` on its page, so its own headings start one level lower ("# Rules" in a charter
/// under the page's h1 is an h2, and so is "### Rules") and go down a level at a time ("#" then
/// "###" become h2 then h3): the page keeps one outline, with no level skipped.
pub fn markdown(src: &str, under: u8) -> String {
    use comrak::nodes::NodeValue;
    let arena = comrak::Arena::new();
    let opts = markdown_options();
    let root = comrak::parse_document(&arena, src, &opts);
    let level = |n: comrak::Node<'_>| match n.data.borrow().value {
        NodeValue::Heading(h) => Some(h.level),
        _ => None,
    };
    let mut used: Vec<u8> = root.descendants().filter_map(level).collect();
    used.sort_unstable();
    used.dedup();
    for node in root.descendants() {
        if let NodeValue::Heading(h) = &mut node.data.borrow_mut().value {
            let rank = used.iter().position(|&l| l == h.level).unwrap_or(0) as u8;
            h.level = (under + 1 + rank).min(6);
        }
    }
    // An image is shown as a link to it, named by its description: nothing is fetched from
    // another server, and nothing the author wrote disappears.
    // (One without a description would be an empty link: it goes, as images used to.)
    let images: Vec<_> = root.descendants().filter(|n| matches!(n.data.borrow().value, NodeValue::Image(_))).collect();
    for image in images {
        if image.first_child().is_none() {
            image.detach();
            continue;
        }
        let mut data = image.data.borrow_mut();
        if let NodeValue::Image(link) = &data.value {
            data.value = NodeValue::Link(link.clone());
        }
    }
    // A link to `javascript:` or any scheme but the web's, mail's and the phone's is its text
    // only (comrak would write it as a link to nowhere, which looks real).
    let unsafe_link = |n: &comrak::Node<'_>| match &n.data.borrow().value {
        NodeValue::Link(l) => l.url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.contains(['/', '?', '#'])
                && !["http", "https", "mailto", "tel"].iter().any(|s| scheme.eq_ignore_ascii_case(s))
        }),
        _ => false,
    };
    let links: Vec<_> = root.descendants().filter(unsafe_link).collect();
    for link in links {
        for child in link.children().collect::<Vec<_>>() {
            link.insert_before(child);
        }
        link.detach();
    }
    let mut html = String::new();
    // Writing into a String cannot fail.
    let _ = comrak::format_html(root, &opts, &mut html);
    ammonia::Builder::default()
        .rm_tags(&["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

fn markdown_options() -> comrak::Options<'static> {
    let mut opts = comrak::Options::default();
    opts.extension.autolink = true;
    opts.extension.strikethrough = true;
    // Raw HTML is shown as the text it is, not left out: left out, an HTML block takes the lines
    // after it (up to a blank line) with it, and the author never learns their words are gone.
    opts.render.escape = true;
    opts
}

/// Markdown as plain text, for where no HTML is shown (a calendar entry's description): the
/// words without the marks, one blank line between paragraphs, list items on their own "- "
/// lines, a link's address after its text; raw HTML left out.
pub fn markdown_text(src: &str) -> String {
    use comrak::nodes::NodeValue;
    fn blank_line(out: &mut String) {
        if !out.is_empty() {
            out.truncate(out.trim_end_matches([' ', '\n']).len());
            out.push_str("\n\n");
        }
    }
    fn walk<'a>(node: comrak::Node<'a>, out: &mut String) {
        let children = |out: &mut String| node.children().for_each(|c| walk(c, out));
        let in_item = || node.parent().is_some_and(|p| matches!(p.data.borrow().value, NodeValue::Item(_)));
        match &node.data.borrow().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push('\n'),
            NodeValue::HtmlBlock(_) | NodeValue::HtmlInline(_) => {}
            NodeValue::CodeBlock(b) => {
                blank_line(out);
                out.push_str(b.literal.trim_end());
            }
            NodeValue::Link(l) => {
                let start = out.len();
                children(out);
                if !l.url.is_empty() && out[start..] != *l.url && !l.url.starts_with("mailto:") {
                    out.push_str(&format!(" ({})", l.url));
                }
            }
            NodeValue::Item(_) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("- ");
                children(out);
            }
            NodeValue::Paragraph | NodeValue::Heading(_) if !in_item() => {
                blank_line(out);
                children(out);
            }
            NodeValue::List(_) | NodeValue::BlockQuote => {
                blank_line(out);
                children(out);
            }
            _ => children(out),
        }
    }
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, src, &markdown_options());
    let mut out = String::new();
    walk(root, &mut out);
    out.trim().to_owned()
}

pub(crate) async fn relation(state: &AppState, viewer: &Actor, person: UserId) -> Result<Relation> {
    Ok(state.snapshot().await?.relation(viewer, person))
}

/// The profile of `person` as `viewer` may see it.
pub async fn view(state: &AppState, viewer: &Actor, person: UserId) -> Result<ProfileView> {
    let p = profiles::get(&state.db, person).await?.ok_or(AppError::NotFound)?;
    let snapshot = state.snapshot().await?;
    let rel = snapshot.relation(viewer, person);
    let aud = audiences(&p.visibility);
    let show = |f: Field| profile::can_see(aud[&f], rel);
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    // A deactivated manager or executive stays recorded (the edit form keeps them, and they
    // return if reactivated) but is not shown: their profile no longer exists for anyone.
    let active = |id: &UserId| snapshot.is_active(*id);
    let photo_changed = if show(Field::Photo) { profiles::photo_changed(&state.db, person).await? } else { None };
    let (reports, supported_by) = named_below(state, &snapshot, viewer, person).await?;
    Ok(ProfileView {
        id: p.id,
        name: p.name.clone(),
        job_title: p.job_title.clone(),
        department: p.department.clone(),
        location: p.location.clone(),
        time_zone: p.time_zone.clone(),
        preferred_name: show(Field::PreferredName).then(|| nonempty(&p.preferred_name)).flatten(),
        pronouns: show(Field::Pronouns).then(|| nonempty(&p.pronouns)).flatten(),
        level: show(Field::Level).then(|| nonempty(&p.level)).flatten(),
        years_experience: show(Field::YearsExperience).then_some(p.years_experience).flatten(),
        skills: show(Field::Skills).then(|| tags_of(&p, "skills")),
        interests: show(Field::Interests).then(|| tags_of(&p, "interests")),
        languages: show(Field::Languages).then(|| tags_of(&p, "languages")),
        bio_html: show(Field::Bio).then(|| nonempty(&p.bio).map(|b| markdown(&b, 2))).flatten(),
        start_date: show(Field::StartDate).then(|| nonempty(&p.start_date)).flatten(),
        manager: show(Field::Manager)
            .then(|| p.manager_id.zip(p.manager_name.clone()))
            .flatten()
            .filter(|m| active(&m.0)),
        supports: show(Field::Supports).then(|| p.supports.iter().filter(|e| active(&e.0)).cloned().collect()),
        reports,
        supported_by,
        has_photo: photo_changed.is_some(),
        photo_version: photo_changed.map_or(0, |at| at.timestamp_micros()),
        is_self: rel.is_self,
        shown_to: if rel.is_self { aud.into_iter().collect() } else { Vec::new() },
    })
}

/// The reporting line seen from above: who names `person` as their manager (their reports) and
/// as an executive they support — each link only where its owner's profile shows that field
/// ("manager", "supports") to `viewer`, as their own profile page would (in `snapshot`, the one
/// the caller's page is read from).
pub async fn named_below(
    state: &AppState,
    snapshot: &crate::read_model::Snapshot,
    viewer: &Actor,
    person: UserId,
) -> Result<(Vec<(UserId, String)>, Vec<(UserId, String)>)> {
    let shown = |people: Vec<users::Linked>, field: Field| -> Vec<(UserId, String)> {
        people
            .into_iter()
            .filter(|(id, _, visibility)| {
                profile::can_see(audiences(visibility)[&field], snapshot.relation(viewer, *id))
            })
            .map(|(id, name, _)| (id, name))
            .collect()
    };
    Ok((
        shown(users::reports(&state.db, person).await?, Field::Manager),
        shown(users::supported_by(&state.db, person).await?, Field::Supports),
    ))
}

/// The signed-in person's own profile, everything included, for the edit form.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<(Profile, BTreeMap<Field, Audience>)> {
    let p = profiles::get(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let aud = audiences(&p.visibility);
    Ok((p, aud))
}

/// What the edit form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ProfileInput {
    /// The name everyone sees; absent (an older form, a client that leaves it out) keeps it.
    pub name: Option<String>,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub preferred_name: String,
    #[serde(default)]
    pub pronouns: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub years_experience: String,
    #[serde(default)]
    pub skills: String,
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub start_date: String,
    /// The manager's email address, or empty.
    #[serde(default)]
    pub manager_email: String,
    /// Emails of the executives supported, separated by commas or new lines.
    #[serde(default)]
    pub supports_emails: String,
    /// `audience_<field>` → audience for each optional field.
    #[serde(flatten)]
    pub audiences: BTreeMap<String, String>,
}

/// A short one-line text field, trimmed and bounded (also used by the HR import).
pub(crate) fn short(field: &'static str, raw: &str, max: usize) -> std::result::Result<String, FieldError> {
    let raw = roundtable_domain::values::composed(raw.to_owned());
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("Use at most {max} characters.")));
    }
    if roundtable_domain::values::breaks_one_line(s) {
        return Err(FieldError::new(field, format!("{}.", roundtable_domain::values::ONE_LINE_FIX)));
    }
    Ok(s.to_owned())
}

/// The parts of a profile that are searched or turned into tags.
pub struct Indexed<'a> {
    pub name: &'a str,
    pub job_title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub preferred_name: &'a str,
    pub bio: &'a str,
    pub level: &'a str,
    pub years_experience: Option<i64>,
    pub skills: &'a [String],
    pub interests: &'a [String],
    pub languages: &'a [String],
}

/// What a profile is found by: folded search text in two layers (what the whole organisation may
/// see; what people sharing a network may also see) and one tag row per tag carrying its field's
/// audience. Profile editing and the HR import both call this, so everyone is indexed the same way.
pub struct Index {
    pub search_organisation: String,
    pub search_network: String,
    /// (kind, tag, folded, audience)
    pub tags: Vec<(&'static str, String, String, &'static str)>,
}

pub fn index(p: &Indexed<'_>, aud: &BTreeMap<Field, Audience>) -> Index {
    let audience = |f: Field| aud.get(&f).copied().unwrap_or(f.default_audience());
    let lists: [(&'static str, Field, &[String]); 3] = [
        ("skills", Field::Skills, p.skills),
        ("interests", Field::Interests, p.interests),
        ("languages", Field::Languages, p.languages),
    ];
    // Search text in two layers, so a search only matches what the searcher may see.
    let mut org_text = vec![p.name.to_owned(), p.job_title.to_owned(), p.department.to_owned(), p.location.to_owned()];
    let mut net_text = Vec::new();
    let mut put = |f: Field, text: String| match audience(f) {
        Audience::Organisation => org_text.push(text),
        Audience::Network => net_text.push(text),
        Audience::Organisers => {}
    };
    put(Field::PreferredName, p.preferred_name.to_owned());
    put(Field::Bio, p.bio.to_owned());
    for (_, f, list) in lists {
        put(f, list.join(" "));
    }
    let search_organisation = fold(&org_text.join(" "));
    let search_network = fold(&[org_text.join(" "), net_text.join(" ")].join(" "));
    let mut tags = Vec::new();
    for (kind, f, list) in lists {
        for t in list {
            tags.push((kind, t.clone(), fold(t), audience(f).as_str()));
        }
    }
    if !p.level.is_empty() {
        tags.push(("level", p.level.to_owned(), fold(p.level), audience(Field::Level).as_str()));
    }
    if let Some(y) = p.years_experience {
        let band = profile::experience_band(y);
        tags.push(("experience", band.to_owned(), fold(band), audience(Field::YearsExperience).as_str()));
    }
    Index { search_organisation, search_network, tags }
}

/// The caller's own profile as the edit form (and `PUT /api/v1/me/profile`) takes it, with who
/// sees each field.
pub async fn editable(state: &AppState, actor: &Actor) -> Result<(ProfileInput, BTreeMap<Field, Audience>)> {
    let (p, aud) = mine(state, actor).await?;
    let tags =
        |k: &str| p.tags.iter().filter(|(kind, _)| kind == k).map(|(_, t)| t.clone()).collect::<Vec<_>>().join(", ");
    let manager_email = match p.manager_id {
        Some(m) => users::by_id(&state.db, m).await?.map(|u| u.email).unwrap_or_default(),
        None => String::new(),
    };
    let mut supports = Vec::new();
    for (id, _) in &p.supports {
        if let Some(u) = users::by_id(&state.db, *id).await? {
            supports.push(u.email);
        }
    }
    let v = ProfileInput {
        name: Some(p.name.clone()),
        job_title: p.job_title.clone(),
        department: p.department.clone(),
        location: p.location.clone(),
        time_zone: p.time_zone.clone(),
        preferred_name: p.preferred_name.clone(),
        pronouns: p.pronouns.clone(),
        level: p.level.clone(),
        years_experience: p.years_experience.map(|y| y.to_string()).unwrap_or_default(),
        skills: tags("skills"),
        interests: tags("interests"),
        languages: tags("languages"),
        bio: p.bio.clone(),
        start_date: p.start_date.clone(),
        manager_email,
        supports_emails: supports.join(", "),
        audiences: BTreeMap::new(),
    };
    Ok((v, aud))
}

/// Validates and saves the actor's profile. All problems are reported together; nothing is
/// written unless everything is valid.
pub async fn save(state: &AppState, actor: &Actor, input: ProfileInput) -> Result<()> {
    let mut errs = Vec::new();
    // The reporting line as stored: the form shows it back, so a manager or executive who has
    // since left (deactivated, kept until reactivated or erased) is not refused on every later
    // save of fields the person did not touch. Only a newly given address must be active.
    // Likewise the audiences: one the form does not send (a stale form, a script) keeps what was
    // chosen — it must never widen to the default.
    let (stored_manager, stored_supports, stored_audiences) = match profiles::get(&state.db, actor.user_id).await? {
        Some(p) => {
            (p.manager_id, p.supports.into_iter().map(|(id, _)| id).collect::<Vec<_>>(), audiences(&p.visibility))
        }
        None => (None, Vec::new(), audiences("{}")),
    };
    let name = input.name.as_deref().map(|n| PersonName::parse(n).map_err(|e| errs.push(e)).ok());
    let mut ok = |r: std::result::Result<String, FieldError>| r.map_err(|e| errs.push(e)).unwrap_or_default();
    let job_title = ok(short("job_title", &input.job_title, 120));
    let department = ok(short("department", &input.department, 120));
    let location = ok(short("location", &input.location, 120));
    let preferred_name = ok(short("preferred_name", &input.preferred_name, 80));
    let pronouns = ok(short("pronouns", &input.pronouns, 40));
    let level = ok(short("level", &input.level, 60));
    let start_date = ok(profile::parse_date("start_date", &input.start_date, chrono::Utc::now().date_naive()));
    let time_zone =
        if input.time_zone.trim().is_empty() { "UTC".to_owned() } else { input.time_zone.trim().to_owned() };
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        errs.push(FieldError::new("time_zone", "Choose a time zone from the list, e.g. Europe/London."));
    }
    let years = profile::parse_years(&input.years_experience).map_err(|e| errs.push(e)).ok().flatten();
    let bio = LongText::parse("bio", &input.bio, 4000).map_err(|e| errs.push(e)).ok().unwrap_or_default();
    let mut tag_lists = Vec::new();
    for (kind, raw) in [("skills", &input.skills), ("interests", &input.interests), ("languages", &input.languages)] {
        let field = match kind {
            "skills" => "skills",
            "interests" => "interests",
            _ => "languages",
        };
        tag_lists.push((kind, profile::parse_tags(field, raw).map_err(|e| errs.push(e)).unwrap_or_default()));
    }
    let mut aud = BTreeMap::new();
    for f in Field::ALL {
        let chosen = input
            .audiences
            .get(&format!("audience_{}", f.as_str()))
            .map(String::as_str)
            .unwrap_or(stored_audiences.get(&f).copied().unwrap_or(f.default_audience()).as_str());
        match Audience::parse(chosen) {
            Some(a) => {
                aud.insert(f, a);
            }
            // Named, for an API client: the page offers only these.
            None => errs.push(FieldError::new(
                "audience",
                format!(
                    "Choose who can see {} ({}): “{chosen}” is not one of organisers, network, organisation.",
                    f.label(),
                    f.as_str()
                ),
            )),
        }
    }
    let manager_id = match input.manager_email.trim() {
        "" => None,
        e if Email::parse(e).is_err() => {
            errs.push(FieldError::new("manager_email", "Enter your manager's email address, like name@example.org."));
            None
        }
        e => match users::by_email(&state.db, &e.to_lowercase()).await? {
            Some(u) if u.id == actor.user_id => {
                errs.push(FieldError::new("manager_email", "You cannot be your own manager."));
                None
            }
            Some(u) if u.deactivated_at.is_none() || stored_manager == Some(u.id) => Some(u.id),
            // A deactivated account (someone who left) is as good as no one here: a reporting
            // line through them would be shown nowhere and keep no one apart.
            _ => {
                errs.push(FieldError::new(
                    "manager_email",
                    "No one in Roundtable uses this address. Check it, or leave it empty.",
                ));
                None
            }
        },
    };
    // A manager whose own chain leads back to me would make a loop in the reporting line.
    if let Some(m) = manager_id {
        let mut cursor = Some(m);
        for _ in 0..50 {
            match cursor {
                Some(c) if c == actor.user_id => {
                    errs.push(FieldError::new(
                        "manager_email",
                        "That person reports to you (directly or through others), so they cannot be your manager.",
                    ));
                    break;
                }
                Some(c) => cursor = profiles::manager_of(&state.db, c).await?,
                None => break,
            }
        }
    }
    let mut supports = Vec::new();
    for e in input.supports_emails.split([',', ';', '\n']).map(str::trim).filter(|e| !e.is_empty()) {
        if Email::parse(e).is_err() {
            errs.push(FieldError::new(
                "supports_emails",
                format!("“{e}” is not an email address: separate addresses with commas."),
            ));
            continue;
        }
        match users::by_email(&state.db, &e.to_lowercase()).await? {
            Some(u) if u.id == actor.user_id => errs.push(FieldError::new(
                "supports_emails",
                format!("{e} is your own address: list the executives you support."),
            )),
            Some(u) if u.deactivated_at.is_none() || stored_supports.contains(&u.id) => supports.push(u.id),
            _ => errs.push(FieldError::new(
                "supports_emails",
                format!("No one else in Roundtable uses {e}. Check the address."),
            )),
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }

    let me = users::by_id(&state.db, actor.user_id).await?.ok_or(AppError::NotFound)?;
    let name = name.flatten().map_or_else(|| me.name.clone(), |n| n.as_str().to_owned());
    let list = |kind: &str| tag_lists.iter().find(|(k, _)| *k == kind).map(|(_, l)| l.as_slice()).unwrap_or_default();
    let Index { search_organisation, search_network, tags } = index(
        &Indexed {
            name: &name,
            job_title: &job_title,
            department: &department,
            location: &location,
            preferred_name: &preferred_name,
            bio: bio.as_str(),
            level: &level,
            years_experience: years,
            skills: list("skills"),
            interests: list("interests"),
            languages: list("languages"),
        },
        &aud,
    );
    let visibility = visibility_json(&aud).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    if name != me.name {
        users::record_former_name(&mut tx, actor.user_id, &me.name, Utc::now()).await?;
    }
    profiles::save(
        &mut tx,
        actor.user_id,
        &ProfileWrite {
            name: &name,
            name_folded: &fold(&name),
            job_title: &job_title,
            department: &department,
            location: &location,
            time_zone: &time_zone,
            preferred_name: &preferred_name,
            pronouns: &pronouns,
            level: &level,
            years_experience: years,
            bio: bio.as_str(),
            start_date: &start_date,
            manager_id,
            visibility: &visibility,
            search_organisation: &search_organisation,
            search_network: &search_network,
            tags,
            supports,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the directory was asked for (raw from the query string).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub network: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub skill: String,
    #[serde(default)]
    pub interest: String,
    #[serde(default)]
    pub language: String,
    /// `Sort::as_str` of the order wanted; '' for by name.
    #[serde(default)]
    pub sort: String,
    /// The key of one facet to list in full (its other values are otherwise left out).
    #[serde(default)]
    pub all: String,
    pub page: Option<String>,
    /// Results per page (the API's; the page shows `PER_PAGE`).
    pub per_page: Option<String>,
}

/// The directory's facets' query keys, in the read model's facet order.
pub const FACET_KEYS: [&str; 6] = ["department", "location", "level", "skill", "interest", "language"];

/// One facet: its name, the query key, (value, label, count, selected), and how many values
/// are left out (see `DirectoryQuery::all`).
#[derive(Debug, Clone)]
pub struct Facet {
    pub key: &'static str,
    pub label: &'static str,
    pub values: Vec<(String, String, i64, bool)>,
    pub more: usize,
}

pub struct Directory {
    pub people: Vec<Listed>,
    pub total: i64,
    pub page: Page,
    pub facets: Vec<Facet>,
    pub sort: Sort,
    /// The network the directory is limited to, if any (slug, name).
    pub network: Option<(String, String)>,
    /// When the text search found no one: the same search respelt from the words people are
    /// known by, which finds someone ("jonh" → "john").
    pub did_you_mean: Option<String>,
}

pub const PER_PAGE: u32 = 25;

/// Searches people the viewer may find, with facet counts over the same filtered set.
pub async fn directory(state: &AppState, viewer: &Actor, q: &DirectoryQuery) -> Result<Directory> {
    // Bounds what a URL may make us fold and compare; above every field's own limit (120 for a
    // department or location), so any value a facet link carries still selects.
    let cut = |s: &str| s.chars().take(200).collect::<String>();
    let snapshot = state.snapshot().await?;
    // Networks whose member lists the viewer may read now (a charter they still have to accept
    // holds that back, as on the network's own page); only these may filter or be counted.
    let readable: Vec<_> = crate::networks::list_in(&snapshot, viewer)
        .into_iter()
        .filter(|s| crate::networks::authorise_in(&snapshot, viewer, s, Capability::ReadMembers).is_ok())
        .collect();
    let network = if q.network.is_empty() {
        None
    } else {
        Some(crate::networks::load_in(&snapshot, viewer, &q.network, Capability::ReadMembers)?)
    };
    let sort = match q.sort.as_str() {
        "" => Sort::Name,
        s => Sort::parse(s).ok_or_else(|| {
            let known: Vec<_> = Sort::ALL.iter().map(|s| s.as_str()).collect();
            AppError::BadRequest(
                StatusCode::BAD_REQUEST,
                format!("Unknown sort order \"{}\": use one of {}.", cut(s), known.join(", ")),
            )
        })?,
    };
    let text = cut(&fold(q.q.trim()));
    // As the directory writes them, so `department=finance` selects (and marks) "Finance".
    let (department, location) = (cut(&q.department), cut(&q.location));
    let (department, location) = {
        let (d, l) = snapshot.spelled(&department, &location);
        (d.to_owned(), l.to_owned())
    };
    let tags = [&q.level, &q.skill, &q.interest, &q.language].map(|t| fold(&cut(t.trim())));
    let size = Page::size_from_query(q.per_page.as_deref(), PER_PAGE)
        .map_err(|e| AppError::BadRequest(StatusCode::BAD_REQUEST, e.message))?;
    let page = Page::from_query(q.page.as_deref(), Some(size));
    let filter = DirectoryFilter {
        text: &text,
        department: &department,
        location: &location,
        network: network.as_ref().map(|s| s.network.id),
        tags: [&tags[0], &tags[1], &tags[2], &tags[3]],
        sort,
        show_all: FACET_KEYS.map(|k| k == q.all),
        limit: usize::try_from(page.limit()).unwrap_or(0),
        offset: usize::try_from(page.offset()).unwrap_or(0),
    };
    let found = snapshot.directory(viewer, &filter);
    let did_you_mean =
        if found.total == 0 && !text.trim().is_empty() { snapshot.respelt(viewer, &filter) } else { None };
    // A facet with a value chosen lists that value alone: a link replaces the facet's value, so
    // another value's count within this selection (people with both) would not be what its link
    // finds. The chosen value stays listed (with 0) when nothing matches any more, so its
    // "remove this filter" link is still there on a page of no results.
    let mark = |values: Vec<(String, String, i64)>, selected: &str| {
        if selected.is_empty() {
            return values.into_iter().map(|(v, l, n)| (v, l, n, false)).collect();
        }
        let chosen = values.into_iter().find(|(v, ..)| v == selected);
        let (v, l, n) = chosen.unwrap_or_else(|| (selected.to_owned(), selected.to_owned(), 0));
        vec![(v, l, n, true)]
    };
    let same = |values: Vec<(String, i64)>| values.into_iter().map(|(v, n)| (v.clone(), v, n)).collect();
    let [level, skills, interests, languages] = found.tags;
    let values = [
        mark(same(found.departments), &department),
        mark(same(found.locations), &location),
        mark(level, &tags[0]),
        mark(skills, &tags[1]),
        mark(interests, &tags[2]),
        mark(languages, &tags[3]),
    ];
    let labels = ["Department", "Location", "Level", "Skills", "Interests", "Languages"];
    let mut facets: Vec<Facet> = values
        .into_iter()
        .enumerate()
        .map(|(i, values)| {
            let more = if values.iter().any(|v| v.3) { 0 } else { found.more[i] };
            Facet { key: FACET_KEYS[i], label: labels[i], values, more }
        })
        .collect();
    let nets = readable
        .iter()
        .filter(|s| q.network.is_empty() || q.network == s.network.slug)
        .filter_map(|s| {
            let chosen = q.network == s.network.slug;
            let n = found.networks.iter().find(|(id, _)| *id == s.network.id).map_or(0, |n| n.1);
            (n > 0 || chosen).then(|| (s.network.slug.clone(), s.network.name.clone(), n, chosen))
        })
        .collect();
    facets.push(Facet { key: "network", label: "Network", values: nets, more: 0 });
    Ok(Directory {
        people: found.people,
        total: found.total,
        page,
        facets,
        sort,
        network: network.map(|s| (s.network.slug, s.network.name)),
        did_you_mean,
    })
}

/// A suggestion of someone like me, with the reasons.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub person: Listed,
    pub reasons: Vec<String>,
}

/// People sharing common threads with the viewer — level, function, experience band, skills,
/// interests, languages — best first, each with the reasons shown.
///
/// A thread counts for more the fewer people share it (the log of how rare it is: a shared
/// niche skill says more than a shared level); each card names its rarest threads first, at most
/// `REASONS_SHOWN` of them. Equal scores are ordered per viewer by a hash of both ids, so that
/// everyone's list does not start with the same alphabetically first names. The viewer's manager
/// and the executives they support are not peers, whatever they share, and are left out.
pub async fn like_me(state: &AppState, viewer: &Actor) -> Result<Vec<Suggestion>> {
    const SUGGESTIONS: usize = 6;
    const REASONS_SHOWN: usize = 4;
    const COMMONPLACE_FROM: usize = 10;
    let (shared, everyone) = state.snapshot().await?.like_me(viewer);
    let above = profiles::named_above(&state.db, viewer.user_id).await?;
    let shared = shared.into_iter().filter(|s| !above.contains(&s.person.id));
    // Per person: total weight, the person, and each reason with its weight.
    type Threads = (f64, Listed, Vec<(f64, String)>);
    let mut by_person: BTreeMap<UserId, Threads> = BTreeMap::new();
    for s in shared {
        // A thread most of the organisation shares (everyone speaks English) says nothing about
        // this person in particular: no reason, no weight. In a handful of people "most" is
        // two or three, so only once there are enough people for it to mean something.
        if everyone >= COMMONPLACE_FROM && s.holders * 2 > everyone {
            continue;
        }
        let tag = &s.value;
        let reason = match s.kind {
            "level" => format!("Same level: {tag}"),
            "experience" => format!("Similar experience: {tag}"),
            "skills" => format!("Shared skill: {tag}"),
            "interests" => format!("Shared interest: {tag}"),
            "languages" => format!("Both speak {tag}"),
            "department" => format!("Same function: {tag}"),
            _ => continue,
        };
        // ln(everyone / holders) + 1: never zero, so a thread everyone shares still counts.
        let weight = (everyone.max(1) as f64 / s.holders.max(1) as f64).ln() + 1.0;
        let entry = by_person.entry(s.person.id).or_insert_with(|| (0.0, s.person, Vec::new()));
        entry.0 += weight;
        entry.2.push((weight, reason));
    }
    let shuffle = |id: UserId| {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (viewer.user_id, id).hash(&mut h);
        h.finish()
    };
    let mut list: Vec<_> = by_person.into_values().collect();
    list.sort_by(|(a, x, _), (b, y, _)| b.total_cmp(a).then_with(|| shuffle(x.id).cmp(&shuffle(y.id))));
    list.truncate(SUGGESTIONS);
    Ok(list
        .into_iter()
        .map(|(_, person, mut reasons)| {
            reasons.sort_by(|a, b| b.0.total_cmp(&a.0));
            let reasons = reasons.into_iter().take(REASONS_SHOWN).map(|(_, r)| r).collect();
            Suggestion { person, reasons }
        })
        .collect())
}

/// Replaces the actor's photo with a thumbnail made from the upload.
pub async fn set_photo(state: &AppState, actor: &Actor, bytes: Vec<u8>) -> Result<()> {
    let jpeg = thumbnail(bytes).await?;
    store_photo(state, actor, jpeg).await
}

/// The thumbnail of an upload, or why it is refused (read by content, on a blocking thread).
/// Two at a time: each may take a few hundred MB while decoding, and blocking threads are many.
pub async fn thumbnail(bytes: Vec<u8>) -> Result<Vec<u8>> {
    static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _turn = DECODING.acquire().await.map_err(anyhow::Error::from)?;
    Ok(tokio::task::spawn_blocking(move || photo::thumbnail(&bytes)).await.map_err(anyhow::Error::from)??)
}

/// Stores a thumbnail made by `thumbnail` as the actor's photo.
pub async fn store_photo(state: &AppState, actor: &Actor, jpeg: Vec<u8>) -> Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(jpeg);
    profiles::set_photo(&state.db, actor.user_id, &encoded, Utc::now()).await?;
    Ok(())
}

pub async fn remove_photo(state: &AppState, actor: &Actor) -> Result<()> {
    profiles::delete_photo(&state.db, actor.user_id).await?;
    Ok(())
}

/// The JPEG thumbnail of `person`, if it exists and the viewer may see it.
pub async fn photo_of(state: &AppState, viewer: &Actor, person: UserId) -> Result<Vec<u8>> {
    let p = profiles::get(&state.db, person).await?.ok_or(AppError::NotFound)?;
    let rel = relation(state, viewer, person).await?;
    if !profile::can_see(audiences(&p.visibility)[&Field::Photo], rel) {
        return Err(AppError::NotFound);
    }
    let (b64, _) = profiles::photo(&state.db, person).await?.ok_or(AppError::NotFound)?;
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn markdown_keeps_formatting_and_links_but_no_scripts_or_remote_images() {
        let html = super::markdown(
            "**Hi** [site](https://example.org) ![x](https://tracker.example.net/p.gif?who=me) <script>alert(1)</script>",
            1,
        );
        assert!(html.contains("<strong>Hi</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(">x</a>"), "an image is a link named by its description: {html}");
        assert!(!html.contains("<script"), "{html}");
    }

    /// Raw HTML shows as the text it is, with the lines after it (an HTML block would otherwise
    /// take them along, unseen); a `javascript:` link is its words only.
    #[test]
    fn markdown_keeps_the_words_around_raw_html_and_unsafe_links() {
        let html =
            super::markdown("<iframe src=x></iframe>\n> A quote\n\n[click](javascript:alert(1)) [ok](/n/eas)", 1);
        assert!(html.contains("&lt;iframe") && html.contains("A quote") && !html.contains("<iframe"), "{html}");
        assert!(html.contains("click") && !html.contains("javascript") && !html.contains("href=\"\""), "{html}");
        assert!(html.contains("href=\"/n/eas\""), "a link within Roundtable stays: {html}");
    }

    /// A charter's "# Rules" under the page's own h1 is an h2 (as "## Rules" is already, and
    /// "### Rules"); levels follow one another with none skipped; the deepest stays h6.
    #[test]
    fn markdown_headings_start_below_the_page_heading() {
        let html = super::markdown("# Rules\n\n## Confidentiality\n\n###### Small print", 1);
        assert!(html.contains("<h2>Rules</h2>") && html.contains("<h3>Confidentiality</h3>"), "{html}");
        assert!(html.contains("<h4>Small print</h4>") && !html.contains("<h1"), "{html}");
        let html = super::markdown("### Rules\n\n##### Confidentiality", 1);
        assert!(html.contains("<h2>Rules</h2>") && html.contains("<h3>Confidentiality</h3>"), "{html}");
        let html = super::markdown("# A\n\n## B\n\n### C", 4);
        assert!(html.contains("<h5>A</h5>") && html.contains("<h6>B</h6>") && html.contains("<h6>C</h6>"), "{html}");
        let html = super::markdown("## Rules\n\n### Confidentiality", 1);
        assert!(html.contains("<h2>Rules</h2>") && html.contains("<h3>Confidentiality</h3>"), "{html}");
        let html = super::markdown("## About me", 2);
        assert!(html.contains("<h3>About me</h3>"), "under an h2: {html}");
    }
}
