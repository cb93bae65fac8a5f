//! Test support: a fresh, migrated database on either engine, removed afterwards.
//! PostgreSQL comes from `ROUNDTABLE_TEST_POSTGRES` (default: the local server); if it cannot be
//! reached the test fails with the command that starts it — it never silently skips.

use crate::{Db, Dialect};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How to start the local PostgreSQL on this kind of machine.
pub const PG_HINT: &str = "PostgreSQL is not reachable. Start it with:\n  \
     pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\
     or point ROUNDTABLE_TEST_POSTGRES at a server (postgres://user@host:port/db).";

pub fn pg_admin_url() -> String {
    std::env::var("ROUNDTABLE_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

/// A database for one test. Holds the SQLite temp dir or drops the PostgreSQL database on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pg_name: Option<String>,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(dialect: Dialect) -> TestDb {
        Self::try_new(dialect).await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A PostgreSQL database created and left empty, as an administrator creates one by hand
    /// before the first `migrate` (or names a wrong one).
    pub async fn empty_postgres() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (url, name) = Self::create_pg().await.unwrap_or_else(|e| panic!("{e}"));
        let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
        TestDb { db, url, pg_name: Some(name), dir }
    }

    /// A new, empty PostgreSQL database on the test server: (its URL, its name).
    async fn create_pg() -> Result<(String, String), String> {
        let admin = pg_admin_url();
        let name = format!("rt_test_{}", uuid::Uuid::now_v7().simple());
        let (client, conn) =
            tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.map_err(|e| format!("{PG_HINT}\n({e})"))?;
        tokio::spawn(conn);
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.map_err(|e| e.to_string())?;
        Ok((replace_db(&admin, &name), name))
    }

    pub async fn try_new(dialect: Dialect) -> Result<TestDb, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        match dialect {
            Dialect::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("roundtable.db").display());
                let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
                db.migrate().await.map_err(|e| e.to_string())?;
                Ok(TestDb { db, url, pg_name: None, dir })
            }
            Dialect::Postgres => {
                let (url, name) = Self::create_pg().await?;
                let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
                db.migrate().await.map_err(|e| e.to_string())?;
                Ok(TestDb { db, url, pg_name: Some(name), dir })
            }
        }
    }
}

/// The same server URL with another database name.
pub fn replace_db(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').filter(|&i| i > "postgres://".len()).unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = pg_admin_url();
            // Drop runs outside async; a short-lived thread with its own runtime does the cleanup.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok((client, conn)) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
                            tokio::spawn(conn);
                            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
