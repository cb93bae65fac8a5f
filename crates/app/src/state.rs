//! Application state shared by every handler, job and CLI command.

use crate::config::Config;
use crate::http::Result;
use crate::read_model::{ReadModel, Snapshot};
use metrics_exporter_prometheus::PrometheusHandle;
use roundtable_store::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
    pub read_model: Arc<ReadModel>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self { db, config: Arc::new(config), metrics: None, read_model: Arc::default() }
    }

    /// The read model as of now (see `read_model`).
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>> {
        self.read_model.get(&self.db).await
    }
}
