//! The `roundtable admin` commands' use cases, on SQLite and PostgreSQL: what an IT admin runs
//! from a shell must keep the same rules as the admin pages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use roundtable_app::admin::console;
use roundtable_store::Dialect;
use roundtable_store::users;
use support::{PASSWORD, TestApp};

both!(revoking_the_last_organisation_admin_is_refused);

async fn revoking_the_last_organisation_admin_is_refused(d: Dialect) {
    let app = TestApp::spawn(d).await;
    let db = &app.state.db;
    console::create_user(db, "ida@example.org", "Ida Admin", PASSWORD, true).await.unwrap();
    console::create_user(db, "bo@example.org", "Bo Member", PASSWORD, false).await.unwrap();
    let e = console::set_admin(db, "ida@example.org", false).await.unwrap_err();
    assert!(e.to_string().contains("last organisation admin"), "{e}");
    assert!(users::by_email(db, "ida@example.org").await.unwrap().unwrap().is_org_admin, "nothing changed");
    // With a second admin, either may step down.
    assert!(console::set_admin(db, "bo@example.org", true).await.unwrap());
    assert!(console::set_admin(db, "ida@example.org", false).await.unwrap());
    assert!(!users::by_email(db, "ida@example.org").await.unwrap().unwrap().is_org_admin);
    // Granting what one has, or revoking what one lacks, says so and changes (and logs) nothing.
    let (log, _) = roundtable_store::audit::page(db, 100, 0).await.unwrap();
    assert!(!console::set_admin(db, "bo@example.org", true).await.unwrap());
    assert!(!console::set_admin(db, "ida@example.org", false).await.unwrap());
    assert_eq!(roundtable_store::audit::page(db, 100, 0).await.unwrap().0.len(), log.len());
}
