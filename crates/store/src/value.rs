//! One small value type that binds on both engines, and one row type that reads on both, so each
//! record has a single mapping function.

use crate::error::{Error, Result};
use bytes::BytesMut;
use chrono::{DateTime, Utc};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use uuid::Uuid;

/// A bound parameter. Ids travel as text and times as microseconds since the epoch on both
/// engines, so no SQL needs engine-specific types or date maths.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Int(v.timestamp_micros())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
macro_rules! id_values {
    ($($t:ident),*) => {$(
        impl From<roundtable_domain::$t> for Value {
            fn from(v: roundtable_domain::$t) -> Self { Value::Text(v.0.to_string()) }
        }
        impl From<&roundtable_domain::$t> for Value {
            fn from(v: &roundtable_domain::$t) -> Self { Value::Text(v.0.to_string()) }
        }
    )*};
}
id_values!(UserId, NetworkId, SessionId, TokenId, JobId, MessageId, AuditId, InvitationId);

/// Builds a `Vec<Value>` from anything convertible: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { vec![$($crate::Value::from($v)),*] };
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Text(s) if <&str as ToSql>::accepts(ty) => s.as_str().to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            other => Err(format!("cannot bind {other:?} as PostgreSQL type {ty}").into()),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(i) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*i)),
            Value::Bool(b) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b))),
        })
    }
}

/// One result row, read by column position (SQL names its columns in order).
pub enum Row {
    Sqlite(Vec<rusqlite::types::Value>),
    Pg(tokio_postgres::Row),
}

fn decode(i: usize, e: impl std::fmt::Display) -> Error {
    Error::Decode(format!("column {i}: {e}"))
}

impl Row {
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self {
            Row::Sqlite(v) => match v.get(i) {
                Some(rusqlite::types::Value::Text(s)) => Ok(Some(s.clone())),
                Some(rusqlite::types::Value::Null) => Ok(None),
                other => Err(decode(i, format!("expected text, got {other:?}"))),
            },
            Row::Pg(r) => r.try_get::<_, Option<String>>(i).map_err(|e| decode(i, e)),
        }
    }
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| decode(i, "unexpected NULL"))
    }
    /// `text`, moved out of a SQLite row rather than copied (the column reads as NULL after):
    /// for loads of many rows, such as the read model's, that map each row once.
    pub fn take_text(&mut self, i: usize) -> Result<String> {
        match self {
            Row::Sqlite(v) => match v.get_mut(i).map(|c| std::mem::replace(c, rusqlite::types::Value::Null)) {
                Some(rusqlite::types::Value::Text(s)) => Ok(s),
                other => Err(decode(i, format!("expected text, got {other:?}"))),
            },
            Row::Pg(_) => self.text(i),
        }
    }
    /// The text without copying it (ids are parsed from it: a snapshot reads ~100,000 of them).
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        match self {
            Row::Sqlite(v) => match v.get(i) {
                Some(rusqlite::types::Value::Text(s)) => Ok(Some(s)),
                Some(rusqlite::types::Value::Null) => Ok(None),
                other => Err(decode(i, format!("expected text, got {other:?}"))),
            },
            Row::Pg(r) => r.try_get::<_, Option<&str>>(i).map_err(|e| decode(i, e)),
        }
    }
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self {
            Row::Sqlite(v) => match v.get(i) {
                Some(rusqlite::types::Value::Integer(n)) => Ok(Some(*n)),
                Some(rusqlite::types::Value::Null) => Ok(None),
                other => Err(decode(i, format!("expected integer, got {other:?}"))),
            },
            Row::Pg(r) => match r.columns().get(i).map(|c| c.type_().clone()) {
                Some(Type::INT4) => r.try_get::<_, Option<i32>>(i).map(|v| v.map(i64::from)).map_err(|e| decode(i, e)),
                _ => r.try_get::<_, Option<i64>>(i).map_err(|e| decode(i, e)),
            },
        }
    }
    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| decode(i, "unexpected NULL"))
    }
    pub fn bool(&self, i: usize) -> Result<bool> {
        match self {
            Row::Sqlite(_) => Ok(self.int(i)? != 0),
            Row::Pg(r) => r.try_get::<_, bool>(i).map_err(|e| decode(i, e)),
        }
    }
    pub fn uuid(&self, i: usize) -> Result<Uuid> {
        self.opt_uuid(i)?.ok_or_else(|| decode(i, "unexpected NULL"))
    }
    pub fn opt_uuid(&self, i: usize) -> Result<Option<Uuid>> {
        self.opt_str(i)?.map(|s| Uuid::parse_str(s).map_err(|e| decode(i, e))).transpose()
    }
    pub fn time(&self, i: usize) -> Result<DateTime<Utc>> {
        micros(self.int(i)?).ok_or_else(|| decode(i, "time out of range"))
    }
    pub fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>> {
        self.opt_int(i)?.map(|v| micros(v).ok_or_else(|| decode(i, "time out of range"))).transpose()
    }
}

fn micros(v: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
}
