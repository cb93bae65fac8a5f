//! Cron schedules: each tick that fell due is enqueued once, however many instances (or worker
//! loops) look at the same window — on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::TimeZone;
use roundtable_app::jobs::schedule_due;
use roundtable_store::Dialect;
use roundtable_store::testing::TestDb;

both!(each_due_tick_is_enqueued_once);

/// The jobs enqueued for ticks of the given hour (the test's windows are in the past, so the
/// keys cannot collide with anything else).
async fn ticks(db: &roundtable_store::Db, prefix: &str) -> Vec<String> {
    let rows = db.read("SELECT dedupe_key FROM jobs WHERE dedupe_key IS NOT NULL ORDER BY dedupe_key", vec![]);
    let mut keys: Vec<String> =
        rows.await.unwrap().iter().map(|r| r.text(0).unwrap()).filter(|k| k.starts_with(prefix)).collect();
    keys.sort();
    keys
}

async fn each_due_tick_is_enqueued_once(d: Dialect) {
    let t = TestDb::new(d).await;
    let at = |h, m, s| chrono::Utc.with_ymd_and_hms(2026, 1, 5, h, m, s).single().unwrap();
    let minute = |h, m| at(h, m, 0).timestamp();
    // 10:06:30 → 10:07:30 covers the hourly clean-up (minute 7) and the 10:07 event-notice tick.
    schedule_due(&t.db, at(10, 6, 30), at(10, 7, 30)).await.unwrap();
    let expected = vec![format!("cron:cleanup:{}", minute(10, 7)), format!("cron:event_notices:{}", minute(10, 7))];
    assert_eq!(ticks(&t.db, "cron:").await, expected);
    // A second instance (or the next poll) looking at the same window adds nothing.
    schedule_due(&t.db, at(10, 6, 30), at(10, 7, 30)).await.unwrap();
    assert_eq!(ticks(&t.db, "cron:").await, expected);
    // The next minute: the event notices tick again; the clean-up waits for 11:07.
    schedule_due(&t.db, at(10, 7, 30), at(10, 8, 30)).await.unwrap();
    let keys = ticks(&t.db, "cron:").await;
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.contains(&format!("cron:event_notices:{}", minute(10, 8))));
    assert!(!keys.iter().any(|k| k == &format!("cron:cleanup:{}", minute(10, 8))));
}
