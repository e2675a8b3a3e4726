//! Stage 5: resolve references against the registry (and, later, the endpoint
//! catalog): which registry feature does each flag name, directly or by alias?

use crate::config::Config;
use crate::model::Reference;

/// Sets `feature` on every reference whose flag the registry names.
pub fn resolve(references: &mut [Reference], config: &Config) {
    for r in references {
        r.feature = config.feature(&r.flag).map(|f| f.name.clone());
    }
}
