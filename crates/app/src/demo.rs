//! `roundtable demo`: fills a realistic demo organisation so a newcomer can look around at once
//! and benchmarks have data — people across departments, levels, locations and time zones with
//! profiles (skills, interests, languages, experience, start dates, each field for a chosen
//! audience), three networks with every organiser role, pending requests and an admin to sign in
//! with.

use anyhow::Context;
use chrono::Utc;
use roundtable_domain::profile::{Audience, Field};
use roundtable_domain::{Email, MembershipStatus, PersonName, Role, Visibility, fold};
use roundtable_store::profiles::{self, ProfileWrite};
use roundtable_store::users::{NewPerson, NewUser};
use roundtable_store::{Db, networks, org, users};
use std::collections::BTreeMap;

const FIRST: &[&str] = &[
    "Ada", "Amara", "Björn", "Chloé", "Dev", "Elena", "Farah", "Gustavo", "Hana", "Ines", "Jamal", "Kofi", "Léa",
    "Mei", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sanjay", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf",
    "Zoë", "Aoife", "Bruno", "Carmen", "Dmitri", "Esther", "Fatima", "Giulia", "Hugo", "Ivy", "Jonas", "Keiko", "Lars",
    "Maya",
];
const LAST: &[&str] = &[
    "Okafor",
    "Schmidt",
    "Dubois",
    "García",
    "Nakamura",
    "Kowalski",
    "Haddad",
    "Rossi",
    "Johansson",
    "Silva",
    "Nguyen",
    "Müller",
    "O'Brien",
    "Patel",
    "Ivanova",
    "Mensah",
    "Lindqvist",
    "Moreau",
    "Costa",
    "Yilmaz",
    "Kim",
    "Novak",
    "Fischer",
    "Larsen",
    "Ahmed",
    "Bianchi",
    "Walsh",
    "Chen",
    "Santos",
    "Murphy",
];
const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Legal",
    "Operations",
    "Human Resources",
    "Sales",
    "Marketing",
    "Research",
    "Technology",
    "Executive Office",
    "Procurement",
];
const TITLES: &[&str] = &[
    "Executive Assistant",
    "Administrative Assistant",
    "Senior Executive Assistant",
    "Team Assistant",
    "Office Manager",
    "Chief of Staff",
    "Personal Assistant",
    "Project Coordinator",
];
const LOCATIONS: &[(&str, &str)] = &[
    ("London", "Europe/London"),
    ("Paris", "Europe/Paris"),
    ("Berlin", "Europe/Berlin"),
    ("New York", "America/New_York"),
    ("Chicago", "America/Chicago"),
    ("São Paulo", "America/Sao_Paulo"),
    ("Singapore", "Asia/Singapore"),
    ("Sydney", "Australia/Sydney"),
    ("Nairobi", "Africa/Nairobi"),
    ("Mumbai", "Asia/Kolkata"),
];

const LEVELS: &[&str] = &["Associate", "Senior", "Lead", "Principal"];
const SKILLS: &[&str] = &[
    "Diary management",
    "Minute taking",
    "Travel booking",
    "Board papers",
    "Event planning",
    "Expenses",
    "Stakeholder management",
    "Excel",
    "PowerPoint",
    "Onboarding",
    "Budget tracking",
    "Project coordination",
    "Confidential correspondence",
    "Vendor management",
];
const INTERESTS: &[&str] = &[
    "Choir",
    "Running",
    "Photography",
    "Chess",
    "Gardening",
    "Cooking",
    "Cycling",
    "Book club",
    "Volunteering",
    "Yoga",
    "Hiking",
    "Painting",
];
const LANGUAGES: &[&str] =
    &["French", "German", "Spanish", "Portuguese", "Mandarin", "Hindi", "Arabic", "Swahili", "Japanese", "Polish"];

/// The demo's sign-in, printed at the end.
pub const ADMIN_EMAIL: &str = "admin@demo.example.org";
pub const PASSWORD: &str = "roundtable-demo";

pub struct Summary {
    pub people: usize,
    pub networks: usize,
}

/// Creates the demo organisation with `members` people. Refuses to touch a database that
/// already has an organisation. `progress` is told how many people are done.
pub async fn fill(db: &Db, members: usize, progress: impl Fn(usize)) -> anyhow::Result<Summary> {
    if org::get(db).await?.is_some() {
        anyhow::bail!(
            "this database already has an organisation; run demo on an empty database (e.g. --data-dir /tmp/demo)"
        );
    }
    let members = members.max(10);
    // One hash for everybody: hashing 10,000 passwords would take minutes and prove nothing.
    let hash = crate::security::hash_password_async(PASSWORD.to_owned()).await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    org::create(&mut tx, "Demo Organisation", "UTC", now).await?;
    let specs = [
        (
            "assistants",
            "Executive & Administrative Assistants",
            "Peers supporting executives across the organisation: share know-how, learn together, be seen.",
            Visibility::Open,
        ),
        (
            "allies",
            "Allies Network",
            "Colleagues who champion inclusion and employee representation.",
            Visibility::ByRequest,
        ),
        ("leaders", "Leaders' Circle", "A peer-learning circle for senior leaders.", Visibility::InvitationOnly),
    ];
    let mut nets = Vec::new();
    for (slug, name, description, visibility) in specs {
        nets.push(networks::insert(&mut tx, &networks::NewNetwork { slug, name, description, visibility }, now).await?);
    }
    org::add_domain(&mut tx, &roundtable_domain::EmailDomain::parse("demo.example.org")?, now).await?;
    tx.commit().await?;

    let organiser_roles =
        [Role::Chair, Role::Administrator, Role::TrainingCoordinator, Role::CommunicationsOfficer, Role::Sponsor];
    let batch = 500;
    let mut done = 0;
    while done < members {
        let mut tx = db.begin().await?;
        for i in done..(done + batch).min(members) {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            let name = format!("{first} {last}");
            let email = if i == 0 { ADMIN_EMAIL.to_owned() } else { format!("person{i}@demo.example.org") };
            let (location, tz) = LOCATIONS[(i * 7) % LOCATIONS.len()];
            let email = Email::parse(&email)?;
            let name = PersonName::parse(&name)?;
            let id = users::insert_person(
                &mut tx,
                &NewPerson {
                    user: NewUser {
                        email: &email,
                        name: &name,
                        password_hash: Some(&hash),
                        is_org_admin: i == 0,
                        verified: true,
                    },
                    job_title: TITLES[(i * 3) % TITLES.len()],
                    department: DEPARTMENTS[(i * 3 + i / 10) % DEPARTMENTS.len()],
                    location,
                    time_zone: tz,
                },
                now,
            )
            .await
            .with_context(|| format!("demo person {i}"))?;
            profile(
                &mut tx,
                id,
                i,
                name.as_str(),
                TITLES[(i * 3) % TITLES.len()],
                DEPARTMENTS[(i * 3 + i / 10) % DEPARTMENTS.len()],
                (location, tz),
                now,
            )
            .await
            .with_context(|| format!("demo profile {i}"))?;
            // Most people are in the assistants' network; every third in the allies; a few leaders.
            let role_in = |k: usize| {
                if i > 0 && i <= organiser_roles.len() * 3 && (i - 1) / organiser_roles.len() == k {
                    organiser_roles[(i - 1) % organiser_roles.len()]
                } else {
                    Role::Member
                }
            };
            if i % 10 != 9 {
                networks::upsert_membership(&mut tx, nets[0], id, role_in(0), MembershipStatus::Active, now).await?;
            }
            if i % 3 == 0 || (1..=15).contains(&i) {
                let status = if i % 31 == 30 { MembershipStatus::Requested } else { MembershipStatus::Active };
                networks::upsert_membership(&mut tx, nets[1], id, role_in(1), status, now).await?;
            }
            if i % 25 == 0 || (1..=15).contains(&i) {
                networks::upsert_membership(&mut tx, nets[2], id, role_in(2), MembershipStatus::Active, now).await?;
            }
        }
        tx.commit().await?;
        done = (done + batch).min(members);
        progress(done);
    }
    Ok(Summary { people: members, networks: nets.len() })
}

/// Person `i`'s profile: a level, years of experience, three skills, two interests, English and
/// one more language, a start date and a line of bio, each shown to the audience a real person
/// might choose (level often to organisers only), so the directory's facets, "people like you"
/// and the privacy rules all have something to show.
#[allow(clippy::too_many_arguments)]
async fn profile(
    tx: &mut roundtable_store::Tx,
    id: roundtable_domain::UserId,
    i: usize,
    name: &str,
    job_title: &str,
    department: &str,
    (location, time_zone): (&str, &str),
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    // `n` values spread over the list: a start and a stride that both vary with `i`.
    let pick = |list: &[&str], n: usize| -> Vec<String> {
        let (start, stride) = (i * 37 + 11, 1 + (i / 3) % (list.len() - 1));
        let mut out: Vec<String> = (0..n).map(|k| list[(start + k * stride) % list.len()].to_owned()).collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let (skills, interests) = (pick(SKILLS, 3), pick(INTERESTS, 2));
    let languages = vec!["English".to_owned(), LANGUAGES[i % LANGUAGES.len()].to_owned()];
    let level = LEVELS[(i * 5 / 3) % LEVELS.len()];
    let years = i64::try_from(1 + (i * 13) % 25).unwrap_or(1);
    let start_date = format!("{:04}-{:02}-{:02}", 2026 - years.min(20), 1 + i % 12, 1 + i % 28);
    let bio = format!("Supporting the {department} leadership team from {location}.");
    let aud: BTreeMap<Field, Audience> = Field::ALL
        .into_iter()
        .map(|f| {
            let a = match f {
                Field::Level if i.is_multiple_of(4) => Audience::Organisers,
                Field::Interests | Field::Languages | Field::Bio => Audience::Organisation,
                Field::Skills | Field::StartDate if i.is_multiple_of(3) => Audience::Organisation,
                _ => Audience::Network,
            };
            (f, a)
        })
        .collect();
    let index = crate::members::index(
        &crate::members::Indexed {
            name,
            job_title,
            department,
            location,
            preferred_name: "",
            bio: &bio,
            level,
            years_experience: Some(years),
            skills: &skills,
            interests: &interests,
            languages: &languages,
        },
        &aud,
    );
    let visibility = crate::members::visibility_json(&aud)?;
    profiles::save(
        tx,
        id,
        &ProfileWrite {
            name,
            name_folded: &fold(name),
            job_title,
            department,
            location,
            time_zone,
            preferred_name: "",
            pronouns: "",
            level,
            years_experience: Some(years),
            bio: &bio,
            start_date: &start_date,
            manager_id: None,
            visibility: &visibility,
            search_organisation: &index.search_organisation,
            search_network: &index.search_network,
            tags: index.tags,
            supports: Vec::new(),
        },
        now,
    )
    .await?;
    Ok(())
}
