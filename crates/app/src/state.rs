//! Application state shared by every handler, job and CLI command.

use crate::config::Config;
use metrics_exporter_prometheus::PrometheusHandle;
use roundtable_store::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self { db, config: Arc::new(config), metrics: None }
    }
}
