//! `roundtable demo`: fills a realistic demo organisation so a newcomer can look around at once
//! and benchmarks have data — people across departments, levels, locations and time zones, three
//! networks with every organiser role, pending requests and an admin to sign in with.

use anyhow::Context;
use chrono::Utc;
use roundtable_domain::{Email, MembershipStatus, PersonName, Role, Visibility};
use roundtable_store::users::{NewPerson, NewUser};
use roundtable_store::{Db, networks, org, users};

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
    org::create(&mut tx, "Demo Organisation", now).await?;
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
                    department: DEPARTMENTS[(i * 5) % DEPARTMENTS.len()],
                    location,
                    time_zone: tz,
                },
                now,
            )
            .await
            .with_context(|| format!("demo person {i}"))?;
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
