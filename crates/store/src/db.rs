//! `Db`: one handle over SQLite or PostgreSQL, chosen from the URL at run time. Every store
//! function writes its SQL once (`$N` placeholders, portable syntax) and calls `read`, `write`
//! or a `Tx`; only `Dialect` forks (job claim).

use crate::error::{Error, Result};
use crate::value::{Row, Value};
use roundtable_domain::UserId;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

mod embedded {
    pub mod sqlite {
        refinery::embed_migrations!("migrations/sqlite");
    }
    pub mod postgres {
        refinery::embed_migrations!("migrations/postgres");
    }
}

/// Which SQL engine is behind a `Db`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub enum Db {
    Sqlite(Arc<SqliteDb>),
    Postgres(deadpool_postgres::Pool),
}

/// SQLite behind one writer connection and a few readers. Writes queue on the writer instead of
/// failing with SQLITE_BUSY; readers run beside it thanks to WAL.
pub struct SqliteDb {
    path: PathBuf,
    writer: ConnPool,
    readers: ConnPool,
}

/// A tiny pool of rusqlite connections used from `spawn_blocking`. Ours rather than
/// deadpool-sqlite's because a transaction must hold the writer across several awaits and throw
/// the connection away (rolling back) if it is abandoned.
struct ConnPool {
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
    read_only: bool,
}

pub struct Lease {
    conn: Option<rusqlite::Connection>,
    _permit: OwnedSemaphorePermit,
}

/// How long a statement waits for a lock held by another connection before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn open_sqlite(path: &Path, read_only: bool) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    // WAL lets readers run beside the writer; synchronous=FULL makes an acknowledged write survive
    // power loss; foreign keys are off by default in SQLite; secure_delete overwrites what is
    // deleted, so an erased person's data does not live on in the file's free pages.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // SQLite's own lower() folds ASCII only: erasure looks for "Émile" in "thanks ÉMILE" with
    // LOWER(), as PostgreSQL does with its Unicode lower().
    conn.create_scalar_function(
        "lower",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            use rusqlite::types::{Value, ValueRef};
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).to_lowercase()),
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            })
        },
    )?;
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

impl ConnPool {
    fn new(path: &Path, size: usize, read_only: bool) -> Self {
        Self { idle: Mutex::new(Vec::new()), permits: Arc::new(Semaphore::new(size)), path: path.to_owned(), read_only }
    }

    async fn lease(&self) -> Result<Lease> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|e| Error::Unavailable(e.to_string()))?;
        let idle = self.idle.lock().map_err(|_| Error::Unavailable("pool poisoned".into()))?.pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let (path, ro) = (self.path.clone(), self.read_only);
                tokio::task::spawn_blocking(move || open_sqlite(&path, ro))
                    .await
                    .map_err(|e| Error::Unavailable(e.to_string()))??
            }
        };
        Ok(Lease { conn: Some(conn), _permit: permit })
    }

    fn give_back(&self, mut lease: Lease) {
        if let (Some(conn), Ok(mut idle)) = (lease.conn.take(), self.idle.lock()) {
            idle.push(conn);
        }
    }

    async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let mut lease = self.lease().await?;
        let lease_result = run_on(&mut lease, f).await;
        self.give_back(lease);
        lease_result
    }
}

async fn run_on<R: Send + 'static>(
    lease: &mut Lease,
    f: impl FnOnce(&mut rusqlite::Connection) -> Result<R> + Send + 'static,
) -> Result<R> {
    let mut conn = lease.conn.take().ok_or_else(|| Error::Unavailable("connection lost".into()))?;
    let (conn, result) = tokio::task::spawn_blocking(move || {
        let r = f(&mut conn);
        (conn, r)
    })
    .await
    .map_err(|e| Error::Unavailable(e.to_string()))?;
    lease.conn = Some(conn);
    result
}

fn sqlite_stmt<'c>(
    conn: &'c rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<rusqlite::CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(sql)?;
    // SQLite treats `$1` as a *named* parameter; bind by name so the order of first use in the
    // text does not matter.
    for (i, v) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        let idx = stmt
            .parameter_index(&name)?
            .ok_or_else(|| Error::Database(format!("statement has no parameter {name}: {sql}")))?;
        stmt.raw_bind_parameter(idx, v)?;
    }
    Ok(stmt)
}

fn sqlite_query(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
    let mut stmt = sqlite_stmt(conn, sql, params)?;
    let n = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(r.get::<_, rusqlite::types::Value>(i)?);
        }
        out.push(Row::Sqlite(vals));
    }
    Ok(out)
}

fn sqlite_execute(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<u64> {
    let mut stmt = sqlite_stmt(conn, sql, params)?;
    Ok(stmt.raw_execute()? as u64)
}

impl Db {
    /// The file a SQLite URL names (`sqlite://path`, `sqlite:path` or a bare path); `None` for
    /// PostgreSQL.
    pub fn sqlite_file(url: &str) -> Option<PathBuf> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return None;
        }
        Some(PathBuf::from(url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)))
    }

    /// Opens the database named by `url`: `sqlite://PATH` (or a bare path) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pg: tokio_postgres::Config =
                url.parse().map_err(|e: tokio_postgres::Error| Error::Unavailable(e.to_string()))?;
            let mgr = deadpool_postgres::Manager::from_config(
                pg,
                tokio_postgres::NoTls,
                deadpool_postgres::ManagerConfig { recycling_method: deadpool_postgres::RecyclingMethod::Fast },
            );
            let pool = deadpool_postgres::Pool::builder(mgr)
                .max_size(16)
                .wait_timeout(Some(Duration::from_secs(10)))
                .create_timeout(Some(Duration::from_secs(5)))
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .build()
                .map_err(|e| Error::Unavailable(e.to_string()))?;
            // Fail now, with the server's message, rather than on the first request.
            drop(pool.get().await?);
            Ok(Db::Postgres(pool))
        } else {
            let path = Self::sqlite_file(url).unwrap_or_else(|| PathBuf::from(url));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                // Only the server's own user may read what it creates: the database holds
                // password hashes and profiles, the outbox beside it live sign-in links.
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| Error::Unavailable(format!("{}: {e}", dir.display())))?;
            }
            // SQLite creates its file readable by everyone (0644) and gives the -wal and -shm
            // files the database's mode: create it empty (a valid empty database) for the owner.
            if !path.exists() {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| Error::Unavailable(format!("{}: {e}", path.display())))?;
            }
            let db = SqliteDb { writer: ConnPool::new(&path, 1, false), readers: ConnPool::new(&path, 4, true), path };
            // Open the writer first: it creates the file and switches it to WAL.
            db.writer.run(|_| Ok(())).await?;
            Ok(Db::Sqlite(Arc::new(db)))
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite file, when this is SQLite (for backups and messages).
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Db::Sqlite(s) => Some(&s.path),
            Db::Postgres(_) => None,
        }
    }

    /// Applies pending migrations, then refolds stored folded names if they were folded by
    /// another version of `fold` (`users::refold_names`; one small read otherwise). On
    /// PostgreSQL an advisory lock makes instances that start at the same time take turns over
    /// the migrations; the second finds none to apply.
    /// Whether the database holds Roundtable's tables (its migrations have run here): a
    /// PostgreSQL database named by mistake (`postgres`, a typo) does not.
    pub async fn has_schema(&self) -> Result<bool> {
        let sql = match self.dialect() {
            Dialect::Sqlite => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
            Dialect::Postgres => "SELECT 1 WHERE to_regclass('refinery_schema_history') IS NOT NULL",
        };
        Ok(self.read_opt(sql, vec![]).await?.is_some())
    }

    pub async fn migrate(&self) -> Result<usize> {
        let applied = self.apply_migrations().await?;
        crate::users::refold_names(self, false).await?;
        Ok(applied)
    }

    async fn apply_migrations(&self) -> Result<usize> {
        match self {
            Db::Sqlite(s) => {
                s.writer
                    .run(|conn| {
                        let report = embedded::sqlite::migrations::runner()
                            .run(conn)
                            .map_err(|e| Error::Migration(e.to_string()))?;
                        Ok(report.applied_migrations().len())
                    })
                    .await
            }
            Db::Postgres(pool) => {
                let mut obj = pool.get().await?;
                obj.batch_execute("SELECT pg_advisory_lock(7262014)").await?;
                let client: &mut tokio_postgres::Client = &mut obj;
                let result = embedded::postgres::migrations::runner()
                    .run_async(client)
                    .await
                    .map(|r| r.applied_migrations().len())
                    .map_err(|e| Error::Migration(e.to_string()));
                obj.batch_execute("SELECT pg_advisory_unlock(7262014)").await?;
                result
            }
        }
    }

    /// True when every embedded migration has been applied (for `/readyz`).
    pub async fn is_migrated(&self) -> Result<bool> {
        let expected = match self {
            Db::Sqlite(_) => embedded::sqlite::migrations::runner().get_migrations().len(),
            Db::Postgres(_) => embedded::postgres::migrations::runner().get_migrations().len(),
        };
        // A database with no tables yet is reachable but not migrated, not "unavailable". The
        // catalogue differs per engine, so these two are outside `ALL` (tests/storage.rs runs both).
        let has_history = match self {
            Db::Sqlite(_) => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'"
            }
            Db::Postgres(_) => {
                "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'refinery_schema_history'"
            }
        };
        let found = self.read(has_history, vec![]).await?;
        if found.first().map(|r| r.int(0)).transpose()?.unwrap_or(0) == 0 {
            return Ok(false);
        }
        let rows = self.read("SELECT COUNT(*) FROM refinery_schema_history", vec![]).await?;
        let applied = rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(0);
        Ok(usize::try_from(applied).unwrap_or(0) >= expected)
    }

    /// Runs a read-only statement.
    pub async fn read(&self, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        match self {
            Db::Sqlite(s) => s.readers.run(move |c| sqlite_query(c, sql, &params)).await,
            Db::Postgres(pool) => {
                let client = pool.get().await?;
                let stmt = client.prepare_cached(sql).await?;
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                Ok(client.query(&stmt, &refs).await?.into_iter().map(Row::Pg).collect())
            }
        }
    }

    /// A small indexed read made for almost every request (the session lookup). On SQLite it runs
    /// on the calling task's thread when it can without waiting — `busy_timeout` 0 for the
    /// attempt — sparing the two thread switches of a blocking hop (an eighth of a page's CPU);
    /// if it cannot (a lock held during WAL recovery or a checkpoint, or any error) it runs on a
    /// blocking thread like every other read. Only for statements that read a few rows by index.
    pub async fn read_hot(&self, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        let Db::Sqlite(s) = self else { return self.read(sql, params).await };
        let mut lease = s.readers.lease().await?;
        let attempt = lease.conn.as_mut().map(|c| {
            c.busy_timeout(Duration::ZERO)?;
            let rows = sqlite_query(c, sql, &params);
            c.busy_timeout(BUSY_TIMEOUT)?;
            rows
        });
        let out = match attempt {
            Some(Ok(rows)) => Ok(rows),
            _ => {
                run_on(&mut lease, move |c| {
                    c.busy_timeout(BUSY_TIMEOUT)?;
                    sqlite_query(c, sql, &params)
                })
                .await
            }
        };
        s.readers.give_back(lease);
        out
    }

    pub async fn read_opt(&self, sql: &'static str, params: Vec<Value>) -> Result<Option<Row>> {
        Ok(self.read(sql, params).await?.into_iter().next())
    }

    /// Runs one writing statement on its own (auto-commit) and returns the rows it changed.
    pub async fn write(&self, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        if touches_read_model(sql) {
            let mut tx = self.begin().await?;
            let n = tx.write(sql, params).await?;
            tx.commit().await?;
            return Ok(n);
        }
        match self {
            Db::Sqlite(s) => s.writer.run(move |c| sqlite_execute(c, sql, &params)).await,
            Db::Postgres(pool) => {
                let client = pool.get().await?;
                let stmt = client.prepare_cached(sql).await?;
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                Ok(client.execute(&stmt, &refs).await?)
            }
        }
    }

    /// `write` for a statement that changes only `person`'s rows (see `Tx::write_for`).
    pub async fn write_for(&self, person: UserId, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx.write_for(person, sql, params).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Runs one writing statement with `RETURNING`.
    pub async fn write_returning(&self, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        if touches_read_model(sql) {
            let mut tx = self.begin().await?;
            let rows = tx.write_returning(sql, params).await?;
            tx.commit().await?;
            return Ok(rows);
        }
        match self {
            Db::Sqlite(s) => s.writer.run(move |c| sqlite_query(c, sql, &params)).await,
            Db::Postgres(_) => self.read(sql, params).await,
        }
    }

    /// The current version of the data behind the read model (see `READ_MODEL_TABLES`).
    pub async fn read_model_version(&self) -> Result<i64> {
        self.read_hot(READ_MODEL_VERSION, vec![]).await?.first().map_or(Ok(0), |r| r.int(0))
    }

    /// SQLite: copies the write-ahead log into the database file and empties it, so the old
    /// versions of pages it held (an erased person's rows, say) are gone from disk too. Best
    /// effort: a reader still open keeps its part of the log until the next checkpoint. Nothing
    /// to do on PostgreSQL, whose autovacuum reclaims deleted rows.
    pub async fn checkpoint(&self) -> Result<()> {
        match self {
            Db::Sqlite(s) => {
                s.writer
                    .run(|c| {
                        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                        Ok(())
                    })
                    .await
            }
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Runs several reads in one read-only transaction, so they see one consistent state of the
    /// database (for building the read model).
    pub async fn read_consistent(&self, statements: Vec<(&'static str, Vec<Value>)>) -> Result<Vec<Vec<Row>>> {
        match self {
            Db::Sqlite(s) => {
                s.readers
                    .run(move |c| {
                        let tx = c.transaction()?;
                        let out =
                            statements.iter().map(|(sql, p)| sqlite_query(&tx, sql, p)).collect::<Result<Vec<_>>>()?;
                        tx.commit()?;
                        Ok(out)
                    })
                    .await
            }
            Db::Postgres(pool) => {
                let mut client = pool.get().await?;
                let tx = client
                    .build_transaction()
                    .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .await?;
                let mut out = Vec::with_capacity(statements.len());
                for (sql, params) in &statements {
                    let stmt = tx.prepare_cached(sql).await?;
                    let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                        params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                    out.push(tx.query(&stmt, &refs).await?.into_iter().map(Row::Pg).collect());
                }
                tx.commit().await?;
                Ok(out)
            }
        }
    }

    /// Starts a transaction. Commit with `Tx::commit`; dropping it un-committed discards the
    /// connection, which rolls the transaction back on both engines.
    pub async fn begin(&self) -> Result<Tx> {
        match self {
            Db::Sqlite(s) => {
                let mut lease = s.writer.lease().await?;
                // IMMEDIATE takes the write lock now, so the transaction cannot fail half-way on BUSY.
                run_on(&mut lease, |c| Ok(c.execute_batch("BEGIN IMMEDIATE")?)).await?;
                Ok(Tx { conn: TxConn::Sqlite { db: s.clone(), lease: Some(lease) }, changed: Changed::Nothing })
            }
            Db::Postgres(pool) => {
                let client = pool.get().await?;
                client.batch_execute("BEGIN").await?;
                Ok(Tx { conn: TxConn::Pg(Some(client)), changed: Changed::Nothing })
            }
        }
    }

    /// Checks that a statement parses and names only existing tables and columns (test support).
    pub async fn prepare(&self, sql: &'static str) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.writer.run(move |c| Ok(c.prepare(sql).map(|_| ())?)).await,
            Db::Postgres(pool) => {
                pool.get().await?.prepare(sql).await?;
                Ok(())
            }
        }
    }

    /// Writes a consistent copy of the SQLite database to `dest` (`VACUUM INTO`) while the server
    /// keeps running.
    pub async fn backup_sqlite(&self, dest: PathBuf) -> Result<()> {
        match self {
            Db::Sqlite(s) => {
                // A connection of its own: readers are query-only, and the writer must stay free.
                let path = s.path.clone();
                let dest = dest.to_string_lossy().into_owned();
                tokio::task::spawn_blocking(move || -> Result<()> {
                    let conn = rusqlite::Connection::open(&path)?;
                    conn.execute("VACUUM INTO ?1", [dest])?;
                    Ok(())
                })
                .await
                .map_err(|e| Error::Unavailable(e.to_string()))?
            }
            Db::Postgres(_) => Err(Error::Database("use pg_dump to back up PostgreSQL".into())),
        }
    }
}

/// A transaction on the writer (SQLite) or one pooled client (PostgreSQL).
pub struct Tx {
    conn: TxConn,
    /// What its writes changed in the read model's tables: commit moves the version and logs it.
    changed: Changed,
}

/// What a transaction changed in the read model's tables.
#[derive(Debug)]
enum Changed {
    Nothing,
    /// Only these people's rows (`PERSON_TABLES`), written with `Tx::write_for`.
    People(Vec<UserId>),
    /// Anything may have changed.
    Everything,
}

enum TxConn {
    Sqlite { db: Arc<SqliteDb>, lease: Option<Lease> },
    Pg(Option<deadpool_postgres::Object>),
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self.conn {
            TxConn::Sqlite { .. } => Dialect::Sqlite,
            TxConn::Pg(_) => Dialect::Postgres,
        }
    }

    pub async fn read(&mut self, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        match &mut self.conn {
            TxConn::Sqlite { lease: Some(lease), .. } => run_on(lease, move |c| sqlite_query(c, sql, &params)).await,
            TxConn::Pg(Some(client)) => {
                let stmt = client.prepare_cached(sql).await?;
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                Ok(client.query(&stmt, &refs).await?.into_iter().map(Row::Pg).collect())
            }
            _ => Err(Error::Unavailable("transaction already finished".into())),
        }
    }

    pub async fn read_opt(&mut self, sql: &'static str, params: Vec<Value>) -> Result<Option<Row>> {
        Ok(self.read(sql, params).await?.into_iter().next())
    }

    /// A writing statement. One that changes a read-model table counts as changing anything in
    /// it (every instance then reloads its whole snapshot); see `write_for`.
    pub async fn write(&mut self, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        if touches_read_model(sql) {
            self.changed = Changed::Everything;
        }
        self.execute(sql, params).await
    }

    /// A writing statement that changes no other person's rows than `person`'s — their account,
    /// profile, tags, photo, memberships or charter acceptances (`PERSON_TABLES`). Instances then
    /// reload just that person. A statement that may change anyone else's rows must use `write`:
    /// those people would otherwise stay stale until the next full reload. (Debug builds compare
    /// every such partial reload with a full one; see the app's `read_model`.)
    pub async fn write_for(&mut self, person: UserId, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        self.note_person(person, sql);
        self.execute(sql, params).await
    }

    /// `write_for` for a statement that changes the rows of several people (a batch): each is
    /// logged, up to the few dozen past which one full reload is cheaper.
    pub async fn write_for_each(&mut self, people: &[UserId], sql: &'static str, params: Vec<Value>) -> Result<u64> {
        if people.is_empty() {
            return self.write(sql, params).await;
        }
        for &person in people {
            self.note_person(person, sql);
        }
        self.execute(sql, params).await
    }

    /// A statement that takes a row lock and changes no value (`UPDATE t SET c = c …`), so it is
    /// no change to the read model whichever table it names.
    pub async fn lock_row(&mut self, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        self.execute(sql, params).await
    }

    fn note_person(&mut self, person: UserId, sql: &str) {
        match read_model_table(sql) {
            None => {}
            Some(table) if PERSON_TABLES.contains(&table) => match &mut self.changed {
                Changed::Nothing => self.changed = Changed::People(vec![person]),
                // Past a few dozen people (an import, the demo) one full reload is cheaper.
                Changed::People(people) if people.len() >= MAX_LOGGED_PEOPLE => self.changed = Changed::Everything,
                Changed::People(people) if !people.contains(&person) => people.push(person),
                Changed::People(_) | Changed::Everything => {}
            },
            Some(_) => self.changed = Changed::Everything,
        }
    }

    async fn execute(&mut self, sql: &'static str, params: Vec<Value>) -> Result<u64> {
        match &mut self.conn {
            TxConn::Sqlite { lease: Some(lease), .. } => run_on(lease, move |c| sqlite_execute(c, sql, &params)).await,
            TxConn::Pg(Some(client)) => {
                let stmt = client.prepare_cached(sql).await?;
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                Ok(client.execute(&stmt, &refs).await?)
            }
            _ => Err(Error::Unavailable("transaction already finished".into())),
        }
    }

    /// A writing statement with `RETURNING`.
    pub async fn write_returning(&mut self, sql: &'static str, params: Vec<Value>) -> Result<Vec<Row>> {
        if touches_read_model(sql) {
            self.changed = Changed::Everything;
        }
        self.read(sql, params).await
    }

    /// Commits. When the transaction changed the read model's tables, its version moves and the
    /// change is logged (who changed, or NULL for anything) as the last statements: the counter
    /// row is then locked only for the commit itself, so two transactions can never wait on each
    /// other through it.
    pub async fn commit(mut self) -> Result<()> {
        let log: Vec<Value> = match &self.changed {
            Changed::Nothing => Vec::new(),
            Changed::People(people) => people.iter().map(Value::from).collect(),
            Changed::Everything => vec![Value::Null],
        };
        let changed = !log.is_empty();
        match &mut self.conn {
            TxConn::Sqlite { db, lease } => {
                if let Some(mut l) = lease.take() {
                    run_on(&mut l, move |c| {
                        if !log.is_empty() {
                            c.execute_batch(BUMP_READ_MODEL_VERSION)?;
                            for person in log {
                                sqlite_execute(c, LOG_READ_MODEL_CHANGE, &[person])?;
                            }
                            sqlite_execute(c, PRUNE_READ_MODEL_CHANGES, &[])?;
                        }
                        Ok(c.execute_batch("COMMIT")?)
                    })
                    .await?;
                    db.writer.give_back(l);
                }
            }
            TxConn::Pg(client) => {
                if let Some(c) = client.take() {
                    // Until COMMIT has answered, the transaction may be open: if a statement fails,
                    // or this future is dropped between round trips (a request timeout, a client
                    // gone), close the connection rather than hand it back to the pool.
                    let mut open = DetachUnlessDone(Some(c));
                    if let Some(c) = &open.0 {
                        pg_commit(c, log).await?;
                    }
                    open.done();
                }
            }
        }
        if changed {
            // After the commit, never before: see `local_read_model_commits`.
            LOCAL_READ_MODEL_COMMITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }
}

/// A pooled PostgreSQL connection that is closed when dropped, unless `done` hands it back.
struct DetachUnlessDone(Option<deadpool_postgres::Object>);

impl DetachUnlessDone {
    fn done(&mut self) {
        drop(self.0.take());
    }
}

impl Drop for DetachUnlessDone {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop(deadpool_postgres::Object::take(c));
        }
    }
}

async fn pg_commit(c: &deadpool_postgres::Object, log: Vec<Value>) -> Result<()> {
    if !log.is_empty() {
        c.batch_execute(BUMP_READ_MODEL_VERSION).await?;
        let insert = c.prepare_cached(LOG_READ_MODEL_CHANGE).await?;
        for person in &log {
            c.execute(&insert, &[person as &(dyn tokio_postgres::types::ToSql + Sync)]).await?;
        }
        c.batch_execute(PRUNE_READ_MODEL_CHANGES).await?;
    }
    Ok(c.batch_execute("COMMIT").await?)
}

impl Drop for Tx {
    fn drop(&mut self) {
        // Abandoned (an error came first): drop the connection so the engine rolls back, rather
        // than return a connection with an open transaction to the pool.
        match &mut self.conn {
            TxConn::Sqlite { lease, .. } => drop(lease.take()),
            TxConn::Pg(client) => {
                if let Some(c) = client.take() {
                    drop(deadpool_postgres::Object::take(c));
                }
            }
        }
    }
}

/// Tables whose rows the app keeps in its in-memory read model (people, profiles, networks,
/// memberships, charters). Any committed write to one of them moves `read_model_version`, so
/// every instance — and every process, such as a CLI import — can tell its snapshot is old.
pub const READ_MODEL_TABLES: &[&str] = &[
    "users",
    "profiles",
    "profile_tags",
    "profile_photos",
    "networks",
    "memberships",
    "charters",
    "charter_acceptances",
];

/// More people than this changed in one transaction count as a change to anything.
const MAX_LOGGED_PEOPLE: usize = 50;

/// The read-model tables whose rows each belong to one person (`Tx::write_for`).
const PERSON_TABLES: &[&str] =
    &["users", "profiles", "profile_tags", "profile_photos", "memberships", "charter_acceptances"];

const BUMP_READ_MODEL_VERSION: &str = "UPDATE read_model_version SET version = version + 1 WHERE id = 1";
/// After the bump, in the same transaction: the person whose rows changed, or NULL for anything.
const LOG_READ_MODEL_CHANGE: &str = "INSERT INTO read_model_changes (version, user_id) SELECT version, CAST($1 AS TEXT) FROM read_model_version WHERE id = 1";
/// The log keeps the last 1,000 versions; an instance further behind reloads everything.
const PRUNE_READ_MODEL_CHANGES: &str =
    "DELETE FROM read_model_changes WHERE version <= (SELECT version FROM read_model_version WHERE id = 1) - 1000";
static LOCAL_READ_MODEL_COMMITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many transactions of this process have changed the read model's tables. A version read
/// from the database stays current for as long as this number does not move — so read this
/// *before* reading the version (a commit in between then shows as a change, never as none).
pub fn local_read_model_commits() -> u64 {
    LOCAL_READ_MODEL_COMMITS.load(std::sync::atomic::Ordering::SeqCst)
}

pub(crate) const READ_MODEL_VERSION: &str = "SELECT version FROM read_model_version WHERE id = 1";

/// Whether a writing statement may change a read-model table. A form we do not recognise counts
/// as a change: a needless rebuild is harmless, a missed one would show old data.
fn touches_read_model(sql: &str) -> bool {
    read_model_table(sql).is_some()
}

/// The read-model table a writing statement changes, if any; `Some("?")` for a form we do not
/// recognise.
fn read_model_table(sql: &str) -> Option<&str> {
    let s = sql.trim_start();
    let upper = |n: usize| s.get(..n).map(str::to_ascii_uppercase);
    let rest = ["INSERT INTO ", "UPDATE ", "DELETE FROM "]
        .iter()
        .find(|p| upper(p.len()).as_deref() == Some(**p))
        .map(|p| &s[p.len()..]);
    let Some(rest) = rest else { return Some("?") };
    let table = rest.trim_start().split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    READ_MODEL_TABLES.contains(&table).then_some(table)
}

/// Statements of this module, for the prepare-everything test.
pub const ALL: &[(&str, &str)] = &[
    ("BUMP_READ_MODEL_VERSION", BUMP_READ_MODEL_VERSION),
    ("READ_MODEL_VERSION", READ_MODEL_VERSION),
    ("LOG_READ_MODEL_CHANGE", LOG_READ_MODEL_CHANGE),
    ("PRUNE_READ_MODEL_CHANGES", PRUNE_READ_MODEL_CHANGES),
];

/// Declares a module's SQL statements as consts and lists them in `ALL`, so one test can prepare
/// every statement of the code base on both engines.
#[macro_export]
macro_rules! queries {
    ($($(#[$m:meta])* $name:ident = $sql:expr;)*) => {
        $($(#[$m])* pub(crate) const $name: &str = $sql;)*
        /// Every statement of this module, with its name, for the prepare-everything test.
        pub const ALL: &[(&str, &str)] = &[$((stringify!($name), $name)),*];
    };
}

#[cfg(test)]
mod tests {
    use super::touches_read_model;

    #[test]
    fn writes_to_read_model_tables_are_recognised() {
        assert!(touches_read_model("INSERT INTO memberships (network_id) VALUES ($1)"));
        assert!(touches_read_model("update users SET name = $2 WHERE id = $1"));
        assert!(touches_read_model("DELETE FROM profile_tags WHERE user_id = $1"));
        assert!(touches_read_model("INSERT INTO users(id) VALUES ($1)"));
        assert!(!touches_read_model("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1"));
        assert!(!touches_read_model("INSERT INTO jobs (id) VALUES ($1)"));
        assert!(!touches_read_model("DELETE FROM usersessions WHERE id = $1"));
        // Unknown shapes count as changes.
        assert!(touches_read_model("WITH x AS (SELECT 1) UPDATE jobs SET state = 'done'"));
    }
}
