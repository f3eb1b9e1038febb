//! The product's migrations, in order: `shared/migrations/NNNN_name.sql`, embedded at compile
//! time. Add a file and a line here; never edit or remove an applied one (see
//! [`super::migrate`]). A test checks that this list and the folder agree.

use super::migrate::Migration;

/// Every migration of the product's schema, oldest first.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "sync_state",
    sql: include_str!("../../migrations/0001_sync_state.sql"),
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrate::check_order;

    fn folder() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
    }

    #[test]
    fn the_list_matches_the_folder() {
        check_order(MIGRATIONS).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(folder())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed, "shared/migrations/ and MIGRATIONS differ");
        for m in MIGRATIONS {
            let file = folder().join(format!("{:04}_{}.sql", m.version, m.name));
            assert_eq!(std::fs::read_to_string(file).unwrap(), m.sql);
        }
    }

    /// The SQL without `--` comments, upper-cased, whitespace collapsed.
    fn statements(sql: &str) -> String {
        sql.lines()
            .map(|line| line.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase()
    }

    #[test]
    fn migrations_never_drop_data() {
        for m in MIGRATIONS {
            let sql = statements(m.sql);
            for destructive in [
                "DROP TABLE",
                "DROP COLUMN",
                "DROP SCHEMA",
                "DROP DATABASE",
                "TRUNCATE",
                "DELETE FROM",
            ] {
                assert!(
                    !sql.contains(destructive),
                    "migration {} ({}) contains {destructive}: migrations never drop data",
                    m.version,
                    m.name
                );
            }
        }
        assert!(statements("-- DROP TABLE x\nSELECT 1").eq("SELECT 1"));
    }
}
